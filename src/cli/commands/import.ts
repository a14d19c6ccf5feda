// `import [--publish] [--company NAME] [--note TEXT] FILE|DIR...`: saves each valid
// definition as a new version of the runbook with its name in its scope (or creates it).
// Invalid files are reported and skipped; the valid ones are still imported.
import { z } from 'zod';

import { ErrorCode, asAppError } from '../../errors.js';
import type { SaveResult } from '../../models/runbook-store.js';
import { describeScope, nameKey, scopeKey, scopeOfSource } from '../../models/runbook-records.js';
import { CompanyOption } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, EXIT_PROBLEMS, type CliCommand } from '../command.js';
import { loadDefinitionFiles, type LoadedFile } from '../definition-files.js';
import { quoted } from '../find-runbook.js';
import { errorMessage } from '../report-error.js';

const ImportArgs = z
  .object({
    options: z.object({
      publish: z.literal(true).optional(),
      company: CompanyOption.optional(),
      note: z.string().max(1000, { error: 'must be at most 1000 characters' }).optional(),
    }),
    positionals: z.array(z.string()).min(1, { error: 'missing FILE or DIR' }),
  })
  .transform(({ options, positionals }) => ({ ...options, paths: positionals }));
type ImportArgs = z.output<typeof ImportArgs>;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'create or update runbooks from YAML or JSON definitions',
  usage: 'import [--publish] [--company NAME] [--note TEXT] FILE|DIR...',
  details: [
    '--publish       publish the imported version',
    '--company NAME  import into company NAME when a file has no scope',
    '--note TEXT     note recorded on each new version',
    'A DIR is read recursively for .yaml, .yml and .json files.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { flags: ['publish'], values: ['company', 'note'] }, ImportArgs);
    const files = claimNames(withCompany(await loadDefinitionFiles(args.paths, ctx.io.cwd), args.company));
    // Opened once up front: a bad environment or an unreachable server is one error for the
    // whole command (exit 2 for configuration), not the same complaint under every file.
    const runbooks = files.some((loaded) => loaded.ok) ? await ctx.runbooks() : undefined;
    let failed = false;
    for (const loaded of files) {
      if (!loaded.ok) {
        failed = true;
        for (const problem of loaded.problems) ctx.io.stderr(`${loaded.file}: ${problem}`);
      } else if (runbooks !== undefined) {
        try {
          ctx.io.stdout(describeSave(await runbooks.save(ctx.who(), loaded.source, { note: args.note, publish: args.publish })));
        } catch (e) {
          if (!isAboutTheFile(e)) throw e;
          failed = true;
          ctx.io.stderr(`${loaded.file}: ${errorMessage(e)}`);
        }
      }
    }
    return failed ? EXIT_PROBLEMS : EXIT_OK;
  },
};

// A conflict (archived runbook, a race lost too often) concerns one file; the rest can go on.
function isAboutTheFile(e: unknown): boolean {
  const { code } = asAppError(e);
  return code === ErrorCode.Conflict || code === ErrorCode.Validation || code === ErrorCode.NotFound || code === ErrorCode.Forbidden;
}


// --company fills in a missing scope; a file that names another scope keeps a problem
// rather than silently going where the user did not ask.
function withCompany(files: LoadedFile[], company: string | undefined): LoadedFile[] {
  if (company === undefined) return files;
  return files.map((loaded) => {
    if (!loaded.ok) return loaded;
    const { scope } = loaded.source;
    if (scope === undefined) return { ...loaded, source: { ...loaded.source, scope: { company } } };
    if (scope !== 'global' && scope.company === company) return loaded;
    const problem = `scope: the file says ${describeScope(scopeOfSource(scope))} but --company says company ${company}; remove one`;
    return { file: loaded.file, ok: false, problems: [problem] };
  });
}

// Two files for one runbook in one import would each overwrite the other, leaving a version
// per file and whichever came last; refuse the later ones instead.
function claimNames(files: LoadedFile[]): LoadedFile[] {
  const owners = new Map<string, string>();
  return files.map((loaded) => {
    if (!loaded.ok) return loaded;
    const key = `${scopeKey(scopeOfSource(loaded.source.scope))}\u0000${nameKey(loaded.source.name)}`;
    const owner = owners.get(key);
    if (owner === undefined) {
      owners.set(key, loaded.file);
      return loaded;
    }
    return { file: loaded.file, ok: false, problems: [`name: runbook "${loaded.source.name}" is also defined in ${owner}`] };
  });
}

function describeSave(result: SaveResult): string {
  const { runbook, version } = result;
  // "published" only when this version is the live one: after an update without --publish
  // an older version stays live, and saying "published" would mislead.
  const live = runbook.status === 'published' && runbook.published_version === version.number;
  const suffix = live ? ' — published' : '';
  if (result.created) return `created ${quoted(runbook)} v${version.number}${live ? '' : ` (${runbook.status})`}${suffix}`;
  if (result.changed) return `updated ${quoted(runbook)} v${version.number}${suffix}`;
  return `unchanged ${quoted(runbook)} (v${version.number})${suffix}`;
}
