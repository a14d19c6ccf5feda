// `publish NAME`, `archive NAME`, `draft NAME`: the lifecycle moves of DESIGN §3. Each says
// what happened, or that nothing needed to.
import { z } from 'zod';

import type { RunbookRecord } from '../../models/runbook-store.js';
import type { Principal } from '../../services/principal.js';
import type { Runbooks } from '../../services/runbooks.js';
import { CompanyOption, positionalsNamed } from '../arg-schemas.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { findRunbook, quoted } from '../find-runbook.js';

const LifecycleArgs = z
  .object({ options: z.object({ company: CompanyOption.optional() }), positionals: positionalsNamed('NAME') })
  .transform(({ options, positionals }) => ({ ...options, name: positionals[0] as string }));

interface Move {
  name: string;
  summary: string;
  apply(runbooks: Runbooks, who: Principal, id: string): Promise<RunbookRecord>;
  done(after: RunbookRecord): string;
  already(after: RunbookRecord): string;
}

function lifecycleCommand(move: Move): CliCommand {
  return {
    name: move.name,
    summary: move.summary,
    usage: `${move.name} NAME [--company NAME]`,
    async run(argv, ctx) {
      const args = parseArgs(argv, { values: ['company'] }, LifecycleArgs);
      const before = await findRunbook(ctx, args.name, args.company);
      const after = await move.apply(await ctx.runbooks(), ctx.who(), before.id);
      // The store returns the record unchanged when there was nothing to do.
      const same = before.status === after.status && before.published_version === after.published_version;
      ctx.io.stdout(same ? move.already(after) : move.done(after));
      return EXIT_OK;
    },
  };
}

export const publishCommand = lifecycleCommand({
  name: 'publish',
  summary: 'publish the latest version (runs start from it)',
  apply: async (runbooks, who, id) => (await runbooks.publish(who, id)).record,
  done: (r) => `published ${quoted(r)} v${r.published_version}`,
  already: (r) => `${quoted(r)} is already published at v${r.published_version}`,
});

export const archiveCommand = lifecycleCommand({
  name: 'archive',
  summary: 'archive a runbook (hidden, starts no runs)',
  apply: (runbooks, who, id) => runbooks.archive(who, id),
  done: (r) => `archived ${quoted(r)}`,
  already: (r) => `${quoted(r)} is already archived`,
});

export const draftCommand = lifecycleCommand({
  name: 'draft',
  summary: 'move a runbook back to draft to revise it',
  apply: (runbooks, who, id) => runbooks.toDraft(who, id),
  done: (r) => `moved ${quoted(r)} back to draft`,
  already: (r) => `${quoted(r)} is already a draft`,
});
