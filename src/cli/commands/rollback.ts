// `rollback NAME V [--company NAME]`: a new version with the content of version V.
import { z } from 'zod';

import { CompanyOption, VersionArg, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { findRunbook, quoted, requireVersion } from '../find-runbook.js';

const RollbackArgs = z
  .object({ options: z.object({ company: CompanyOption.optional() }), positionals: positionalsNamed('NAME', 'V') })
  .transform(({ options, positionals }) => ({ ...options, name: positionals[0] as string, version: positionals[1] as string }))
  .pipe(z.object({ company: z.string().optional(), name: z.string(), version: VersionArg }));

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'make a new version with the content of an old one',
  usage: 'rollback NAME V [--company NAME]',
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['company'] }, RollbackArgs);
    const runbook = await findRunbook(ctx, args.name, args.company);
    const made = await (await ctx.runbooks()).rollback(ctx.who(), runbook.id, requireVersion(runbook, args.version));
    ctx.io.stdout(`rolled back ${quoted(runbook)} to v${args.version} as v${made.number}`);
    return EXIT_OK;
  },
};
