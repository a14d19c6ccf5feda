import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Command } from '../engine/index.js';
import { isAppError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { RunService } from '../services/run-service.js';
import { jobRunId } from './job-run-id.js';
import { WAIT_QUEUE_NAME, WaitJobData } from './wait-queue.js';

export interface WaitWorkerOptions {
  /** A connection made with `createRedis(url, { forWorker: true })`. */
  connection: Redis;
  prefix?: string;
  service: Pick<RunService, 'apply'>;
  concurrency?: number;
  logger?: Logger;
  /** Called for each fired wait with how late its timer went off (for metrics). */
  onFired?: (fired: { runId: string; timerLateMs: number; outcome: WaitOutcome }) => void;
}

export type WaitOutcome = 'applied' | 'duplicate' | 'stale';

/** Turns a due wait into the engine's `wait_elapsed` (a deadline into `timer_fired`), keyed by the job id so it applies once. */
export async function fireWait(service: Pick<RunService, 'apply'>, data: WaitJobData, key: string): Promise<WaitOutcome> {
  const by = { actor: { kind: 'system' as const, id: 'wait-timer' }, source: 'worker', key };
  const target = { ...by, step_id: data.stepId ?? '', visit: data.visit ?? 0 };
  const command: Command =
    data.kind === 'run_timeout'
      ? { type: 'timer_fired', kind: data.kind, ...by }
      : data.kind === 'wait' || data.kind === 'retry'
        ? { type: 'wait_elapsed', ...target }
        : { type: 'timer_fired', kind: data.kind, ...target };
  try {
    const { duplicate } = await service.apply(data.runId, command);
    return duplicate ? 'duplicate' : 'applied';
  } catch (error) {
    // The run moved on (skipped, cancelled, paused) or is gone: the wait no longer matters.
    if (isAppError(error) && (error.code === 'conflict' || error.code === 'not_found')) return 'stale';
    throw error;
  }
}

export function createWaitWorker(opts: WaitWorkerOptions): Worker<WaitJobData, WaitOutcome> {
  const logger = opts.logger ?? silentLogger;
  const worker = new Worker<WaitJobData, WaitOutcome>(
    WAIT_QUEUE_NAME,
    async (job: Job<WaitJobData>) => {
      const data = WaitJobData.parse(job.data);
      const timerLateMs = Date.now() - data.dueAt;
      const outcome = await fireWait(opts.service, data, job.id ?? '');
      logger.debug('wait fired', { run_id: data.runId, step_id: data.stepId, outcome, timer_late_ms: timerLateMs });
      opts.onFired?.({ runId: data.runId, timerLateMs, outcome });
      return outcome;
    },
    {
      connection: opts.connection,
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      concurrency: opts.concurrency ?? 20,
    },
  );
  worker.on('failed', (job, error) => logger.warn('wait job failed', { job_id: job?.id, run_id: jobRunId(job), error }));
  worker.on('error', (error) => logger.error('wait worker error', { error }));
  return worker;
}
