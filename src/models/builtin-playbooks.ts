// The built-in playbooks (reference 001: Disk Cleanup, Service Restart, Memory Pressure
// Relief) kept in step with the files shipped in playbooks/: created when missing, a new
// version when a file changed, nothing when it did not. Safe to run from several processes
// at once (the bot and the CLI share one database). Users cannot change them (runbook-builtins.ts).
import type { Actor } from '../engine/types.js';
import { ErrorCode, isAppError } from '../errors.js';
import { readBuiltinPlaybooks, type BuiltinPlaybook, type BuiltinProblem } from './builtin-playbook-files.js';
import type { RunbookStore } from './runbook-store.js';

export const SYSTEM_AUTHOR: Actor = { kind: 'system', id: 'runbook-bot' };
export const BUILTIN_NOTES = { created: 'installed with runbook-bot', updated: 'updated with runbook-bot' } as const;

export interface BuiltinSyncOptions {
  /** Default: playbooks/ at the root of the project. */
  dir?: string | undefined;
  /** Who the versions are recorded as; default the system actor runbook-bot. */
  author?: Actor | undefined;
}

export interface BuiltinSyncReport {
  /** Names of the built-ins in each state after the sync. */
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Files not installed (invalid, or their name taken by a user's runbook), with why. */
  skipped: BuiltinProblem[];
}

type SyncStore = Pick<RunbookStore, 'syncBuiltin'>;

/** Reads `dir` and syncs every playbook in it. */
export async function syncBuiltinPlaybooks(store: SyncStore, options: BuiltinSyncOptions = {}): Promise<BuiltinSyncReport> {
  const { playbooks, problems } = await readBuiltinPlaybooks(options.dir);
  const report = await applyBuiltinPlaybooks(store, playbooks, options.author);
  return { ...report, skipped: [...problems, ...report.skipped] };
}

/** Syncs playbooks already read; one that conflicts with a user's runbook is skipped, not fatal. */
export async function applyBuiltinPlaybooks(
  store: SyncStore,
  playbooks: readonly BuiltinPlaybook[],
  author: Actor = SYSTEM_AUTHOR,
): Promise<BuiltinSyncReport> {
  const report: BuiltinSyncReport = { created: [], updated: [], unchanged: [], skipped: [] };
  for (const { key, file, source } of playbooks) {
    try {
      const result = await store.syncBuiltin({ key, source, author, note: BUILTIN_NOTES });
      const bucket = result.created ? report.created : result.changed ? report.updated : report.unchanged;
      bucket.push(result.runbook.name);
    } catch (e) {
      if (!isAppError(e) || (e.code !== ErrorCode.Conflict && e.code !== ErrorCode.Validation)) throw e;
      report.skipped.push({ file, problem: e.message });
    }
  }
  return report;
}
