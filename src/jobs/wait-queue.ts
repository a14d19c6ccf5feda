import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { PendingTimer, PendingWait } from '../engine/index.js';

export const WAIT_QUEUE_NAME = 'runbook-waits';

/** Job data is a pointer into MongoDB, never state: the worker re-reads the run. */
export const WaitJobData = z.object({
  runId: z.string().min(1),
  /** null for the run's own deadline, which belongs to no step. */
  stepId: z.string().min(1).nullable(),
  visit: z.number().int().min(1).nullable(),
  /** A wait step, a verify's next try, a human step's reminder or timeout, an approval's deadline, or the run's timeout. */
  kind: z.enum(['wait', 'retry', 'step_reminder', 'step_timeout', 'approval_timeout', 'run_timeout']),
  dueAt: z.number().int(),
});
export type WaitJobData = z.infer<typeof WaitJobData>;

/**
 * Deterministic, so scheduling the same wait twice adds one job; the due time is part of
 * it because one visit of a verify step may wait several times between tries. BullMQ
 * rejects ids with ":" and all-digit ids; this has neither.
 */
export function waitJobId(runId: string, wait: PendingWait | PendingTimer): string {
  if (wait.kind === 'run_timeout') return `run_timeout-${runId}-${wait.due_at}`;
  const id = `${runId}-${wait.step_id}-${wait.visit}-${wait.due_at}`;
  return wait.kind === 'wait' || wait.kind === 'retry' ? `wait-${id}` : `${wait.kind}-${id}`;
}

export interface WaitSchedulerOptions {
  connection: Redis;
  prefix?: string;
  clock?: () => number;
}

export type WaitScheduler = ReturnType<typeof createWaitScheduler>;

export function createWaitScheduler(opts: WaitSchedulerOptions) {
  const clock = opts.clock ?? Date.now;
  const queue = new Queue<WaitJobData>(WAIT_QUEUE_NAME, {
    connection: opts.connection,
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    defaultJobOptions: {
      // Completed and failed jobs are dropped so the same id can be scheduled again after
      // a pause; a failed job's wait is still on the run and the reconciler re-adds it.
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
    },
  });

  return {
    queue,
    async schedule(runId: string, wait: PendingWait | PendingTimer): Promise<void> {
      const data: WaitJobData = { runId, stepId: wait.step_id, visit: wait.visit, kind: wait.kind, dueAt: wait.due_at };
      await queue.add('wait', data, { jobId: waitJobId(runId, wait), delay: Math.max(0, wait.due_at - clock()) });
    },
    /** Whether Redis holds the wait's job (waiting, delayed or under way): the reconciler tells a lost timer from a kept one. */
    async has(runId: string, wait: PendingWait | PendingTimer): Promise<boolean> {
      return (await opts.connection.exists(queue.toKey(waitJobId(runId, wait)))) === 1;
    },
    async cancel(runId: string, wait: PendingWait): Promise<void> {
      await queue.remove(waitJobId(runId, wait));
    },
    async close(): Promise<void> {
      await queue.close();
    },
  };
}
