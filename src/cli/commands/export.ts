// `export NAME [--company NAME] [--version N]`: the stored definition as YAML on stdout,
// exactly as saved, so importing the output again changes nothing.
import { z } from 'zod';

import { toYaml } from '../../engine/definition/index.js';
import { CompanyOption, VersionArg, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { findRunbook, requireVersion } from '../find-runbook.js';

const ExportArgs = z
  .object({
    options: z.object({ company: CompanyOption.optional(), version: VersionArg.optional() }),
    positionals: positionalsNamed('NAME'),
  })
  .transform(({ options, positionals }) => ({ ...options, name: positionals[0] as string }));

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'print a runbook definition as YAML',
  usage: 'export NAME [--company NAME] [--version N]',
  details: ['--company NAME  look among company NAME runbooks too', '--version N     that version instead of the latest'],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['company', 'version'] }, ExportArgs);
    const runbook = await findRunbook(ctx, args.name, args.company);
    const version = await (await ctx.runbooks()).version(ctx.who(), runbook.id, requireVersion(runbook, args.version ?? runbook.latest_version));
    // toYaml ends with a newline; the io adds one per line.
    for (const line of toYaml(version.source).replace(/\n$/, '').split('\n')) ctx.io.stdout(line);
    return EXIT_OK;
  },
};
