// `versions NAME [--company NAME]`: a runbook's history, one row per version, with the
// published and the latest one marked.
import { z } from 'zod';

import type { RunbookRecord, VersionSummary } from '../../models/runbook-store.js';
import { CompanyOption, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { findRunbook, quoted } from '../find-runbook.js';
import { formatTable } from '../table.js';

const VersionsArgs = z
  .object({ options: z.object({ company: CompanyOption.optional() }), positionals: positionalsNamed('NAME') })
  .transform(({ options, positionals }) => ({ ...options, name: positionals[0] as string }));

export const versionsCommand: CliCommand = {
  name: 'versions',
  summary: 'list the versions of a runbook',
  usage: 'versions NAME [--company NAME]',
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['company'] }, VersionsArgs);
    const runbook = await findRunbook(ctx, args.name, args.company);
    const versions = await (await ctx.runbooks()).versions(ctx.who(), runbook.id);
    ctx.io.stdout(`${quoted(runbook)} (${runbook.id}, ${runbook.status})`);
    const rows = versions.map((v) => [`v${v.number}`, marks(runbook, v).join(', '), v.created_at.toISOString(), author(v), v.note]);
    for (const line of formatTable(['VERSION', 'MARK', 'CREATED AT', 'AUTHOR', 'NOTE'], rows)) ctx.io.stdout(line);
    return EXIT_OK;
  },
};

function marks(runbook: RunbookRecord, version: VersionSummary): string[] {
  const out: string[] = [];
  // An archived runbook keeps its published_version as a record; it is no longer live.
  if (version.number === runbook.published_version) out.push(runbook.status === 'published' ? 'published' : 'last published');
  if (version.number === runbook.latest_version) out.push('latest');
  return out;
}

function author(version: VersionSummary): string {
  const { kind, id, name } = version.author;
  return name === undefined ? `${kind}:${id}` : `${kind}:${id} (${name})`;
}
