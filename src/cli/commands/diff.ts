// `diff NAME V1 V2 [--company NAME]`: what changed between two versions, step by step.
import { z } from 'zod';

import { formatDiff } from '../../engine/runbook-diff.js';
import { CompanyOption, VersionArg, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { findRunbook, requireVersion } from '../find-runbook.js';

const DiffArgs = z
  .object({ options: z.object({ company: CompanyOption.optional() }), positionals: positionalsNamed('NAME', 'V1', 'V2') })
  .transform(({ options, positionals }) => ({ ...options, name: positionals[0] as string, versions: positionals.slice(1) }))
  .pipe(
    z.object({
      company: z.string().optional(),
      name: z.string(),
      versions: z.tuple([VersionArg, VersionArg]),
    }),
  );

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'compare two versions of a runbook',
  usage: 'diff NAME V1 V2 [--company NAME]',
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['company'] }, DiffArgs);
    const [a, b] = args.versions;
    const runbook = await findRunbook(ctx, args.name, args.company);
    const diff = await (await ctx.runbooks()).diff(ctx.who(), runbook.id, requireVersion(runbook, a), requireVersion(runbook, b));
    for (const line of formatDiff(diff).split('\n')) ctx.io.stdout(line);
    return EXIT_OK;
  },
};
