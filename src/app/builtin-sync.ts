// Start-up step: bring the built-in playbooks in line with the shipped files. A failure is
// logged and the service starts anyway: the built-ins stay as they were, nothing else needs them.
import { asAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { syncBuiltinPlaybooks, type BuiltinSyncOptions } from '../models/builtin-playbooks.js';
import type { RunbookStore } from '../models/runbook-store.js';

/** `false` skips the sync (tests that want an empty catalogue). */
export async function syncBuiltinsAtStart(store: RunbookStore, logger: Logger, options: BuiltinSyncOptions | false = {}): Promise<void> {
  if (options === false) return;
  try {
    const report = await syncBuiltinPlaybooks(store, options);
    logger.info('built-in playbooks synced', {
      created: report.created.length,
      updated: report.updated.length,
      unchanged: report.unchanged.length,
      skipped: report.skipped.length,
    });
    for (const { file, problem } of report.skipped) logger.warn('built-in playbook skipped', { file, problem });
  } catch (error) {
    logger.error('built-in playbooks not synced; starting without them up to date', { error: asAppError(error).message });
  }
}
