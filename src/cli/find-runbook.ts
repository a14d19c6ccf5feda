// Finding the runbook a NAME argument means (id, name in any case, or slug: DESIGN §5) and
// checking version numbers against it, so messages name the runbook rather than its id.
import { AppError, ErrorCode } from '../errors.js';
import type { RunbookRecord } from '../models/runbook-store.js';
import type { CommandContext } from './command.js';

export async function findRunbook(ctx: CommandContext, name: string, company: string | undefined): Promise<RunbookRecord> {
  return (await ctx.runbooks()).find(ctx.who(), name, { company });
}

/** Versions are numbered 1..latest without gaps, so the latest number bounds them all. */
export function requireVersion(runbook: RunbookRecord, number: number): number {
  if (number > runbook.latest_version) {
    throw new AppError(ErrorCode.NotFound, `runbook "${runbook.name}" has no version ${number} (latest is v${runbook.latest_version})`);
  }
  return number;
}

export function quoted(runbook: Pick<RunbookRecord, 'name'>): string {
  return JSON.stringify(runbook.name);
}
