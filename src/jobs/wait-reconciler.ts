import { mapInLanes } from '../lanes.js';
import { silentLogger, type Logger } from '../logger.js';
import { noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import { createPeriodicPass } from './periodic-pass.js';
import type { RunStore } from '../models/run-store.js';
import type { RunService } from '../services/run-service.js';
import { waitJobId, type WaitScheduler } from './wait-queue.js';
import { fireWait } from './wait-worker.js';

export interface ReconcilerOptions {
  runs: Pick<RunStore, 'pendingWaits'>;
  scheduler: Pick<WaitScheduler, 'schedule' | 'has'>;
  service: Pick<RunService, 'apply'>;
  clock?: () => number;
  logger?: Logger;
  metrics?: Pick<MetricsRecorder, 'reconcilerRepairs'>;
}

export interface ReconcileReport {
  checked: number;
  rescheduled: number;
  /** Of those rescheduled, the timers Redis had lost (the others were still queued: re-adding changes nothing). */
  restored: number;
  fired: number;
  skipped: number;
}

/**
 * MongoDB holds every wait's due time; Redis only holds the timer. After Redis lost its
 * jobs (restart, flush), this puts back the ones still ahead and fires the overdue ones
 * at once. Firing uses the job id as idempotency key, so a timer that survived after all
 * and fires later changes nothing.
 */
/** Waits put back or fired at once in a pass (the wait worker's own concurrency is 20). */
const LANES = 10;

export function createWaitReconciler(opts: ReconcilerOptions) {
  const clock = opts.clock ?? Date.now;
  const logger = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? noMetrics;

  async function pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, rescheduled: 0, restored: 0, fired: 0, skipped: 0 };
    const pending = await opts.runs.pendingWaits();
    report.checked = pending.length;
    // A paused run keeps its due time; resume decides what happens then.
    const live = pending.filter((p) => p.status !== 'paused');
    report.skipped = pending.length - live.length;
    const now = clock();
    // Timers still ahead first: each is one cheap Redis write, and firing a thousand overdue
    // waits first would leave the others to come due unseen meanwhile.
    await mapInLanes(live.filter((p) => p.wait.due_at > now), LANES, async ({ run_id, wait }) => {
      if (!(await opts.scheduler.has(run_id, wait))) report.restored += 1;
      await opts.scheduler.schedule(run_id, wait);
      report.rescheduled += 1;
    });
    await mapInLanes(live.filter((p) => p.wait.due_at <= now), LANES, async ({ run_id, wait }) => {
      const data = { runId: run_id, stepId: wait.step_id, visit: wait.visit, kind: wait.kind, dueAt: wait.due_at };
      if ((await fireWait(opts.service, data, waitJobId(run_id, wait))) === 'applied') report.fired += 1;
    });
    // An overdue wait the reconciler fired was one its timer missed; a restored one was lost.
    metrics.reconcilerRepairs('waits', 'fired', report.fired);
    metrics.reconcilerRepairs('waits', 'restored', report.restored);
    if (report.fired > 0) logger.info('reconciler fired overdue waits', { ...report });
    return report;
  }

  const periodic = createPeriodicPass('wait reconcile', pass, logger);
  return { reconcile: periodic.run, start: periodic.start, stop: periodic.stop };
}
