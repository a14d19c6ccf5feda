// `lint FILE...`: checks definitions without a database, listing every problem of every
// file with its path, for editors and CI.
import { z } from 'zod';

import { parseArgs } from '../args.js';
import { EXIT_OK, EXIT_PROBLEMS, type CliCommand } from '../command.js';
import { loadDefinitionFiles } from '../definition-files.js';

const LintArgs = z
  .object({ options: z.object({}), positionals: z.array(z.string()).min(1, { error: 'missing FILE' }) })
  .transform(({ positionals }) => ({ paths: positionals }));

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'check definition files (no database needed)',
  usage: 'lint FILE|DIR...',
  async run(argv, ctx) {
    const args = parseArgs(argv, {}, LintArgs);
    let failed = false;
    for (const loaded of await loadDefinitionFiles(args.paths, ctx.io.cwd)) {
      if (loaded.ok) {
        ctx.io.stdout(`${loaded.file}: ok`);
        continue;
      }
      failed = true;
      for (const problem of loaded.problems) ctx.io.stderr(`${loaded.file}: ${problem}`);
    }
    return failed ? EXIT_PROBLEMS : EXIT_OK;
  },
};
