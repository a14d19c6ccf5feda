// `fork NAME [--company NAME] [--name NEW_NAME]`: an independent copy of a global runbook's
// latest version, for one company (or globally), remembering where it came from. The store
// refuses a name already taken in the target scope.
import { z } from 'zod';

import { LIMITS } from '../../engine/definition/index.js';
import type { Scope } from '../../engine/types.js';
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
    const store = await ctx.store();
    const original = await store.find(args.name);
    const scope: Scope = args.company === undefined ? { type: 'global' } : { type: 'company', company: args.company };
    const made = await store.fork(original.id, { scope, name: args.newName, author: ctx.author() });
    const origin = made.runbook.forked_from;
    const from = origin === null ? '' : `, forked from ${origin.runbook_id} v${origin.version}`;
    ctx.io.stdout(`created ${quoted(made.runbook)} (${made.runbook.id}) in ${describeScope(made.runbook.scope)}${from}`);
    return EXIT_OK;
  },
};
