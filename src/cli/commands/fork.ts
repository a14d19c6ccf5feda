// `fork NAME [--company NAME] [--name NEW_NAME]`: an independent copy of a global runbook's
// latest version, for one company (or globally), remembering where it came from. The store
// refuses a name already taken in the target scope.
import { z } from 'zod';

import { LIMITS } from '../../engine/definition/index.js';
import { describeScope } from '../../models/runbook-records.js';
import { CompanyOption, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { quoted } from '../find-runbook.js';

const NameOption = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.name, { error: `must be at most ${LIMITS.name} characters` });

const ForkArgs = z
  .object({ options: z.object({ company: CompanyOption.optional(), name: NameOption.optional() }), positionals: positionalsNamed('NAME') })
  .transform(({ options, positionals }) => ({ company: options.company, newName: options.name, name: positionals[0] as string }));

export const forkCommand: CliCommand = {
  name: 'fork',
  summary: 'copy a runbook, for a company or globally, to change on its own',
  usage: 'fork NAME [--company NAME] [--name NEW_NAME]',
  details: [
    '--company NAME   the company the copy belongs to (default: global)',
    '--name NEW_NAME  the copy’s name (default: the original’s)',
    'NAME is looked up among the global runbooks; the copy starts from its latest version.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['company', 'name'] }, ForkArgs);
    const runbooks = await ctx.runbooks();
    const original = await runbooks.find(ctx.who(), args.name);
    const made = await runbooks.fork(ctx.who(), original.id, { ...(args.company ? { company: args.company } : {}), ...(args.newName ? { name: args.newName } : {}) });
    const origin = made.record.forked_from;
    const from = origin === null ? '' : `, forked from ${origin.runbook_id} v${origin.version}`;
    ctx.io.stdout(`created ${quoted(made.record)} (${made.record.id}) in ${describeScope(made.record.scope)}${from}`);
    return EXIT_OK;
  },
};
