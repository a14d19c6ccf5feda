// Waits fired early: a run's delayed wait job in Redis is promoted, and the service applies it
// as it would when due. Tests of playbooks with 10 s or 30 s waits use this instead of sleeping.
import { Queue } from 'bullmq';
import { vi } from 'vitest';

import { createRedis } from '../../src/jobs/redis.js';
import { WAIT_QUEUE_NAME, type WaitJobData } from '../../src/jobs/wait-queue.js';
import type { Run } from '../../src/engine/index.js';

/** Promotes the run's delayed wait jobs, waiting until there is one (the run must be waiting). */
export async function promoteWaits(env: { REDIS_URL: string; QUEUE_PREFIX: string }, runId: string): Promise<void> {
  const connection = createRedis(env.REDIS_URL);
  const queue = new Queue<WaitJobData>(WAIT_QUEUE_NAME, { connection, prefix: env.QUEUE_PREFIX });
  try {
    await vi.waitFor(async () => {
      const jobs = (await queue.getDelayed()).filter((job) => job.data.runId === runId);
      if (jobs.length === 0) throw new Error('no delayed wait yet');
      for (const job of jobs) await job.promote();
    });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Reads the run until `ok` holds, for up to `timeoutMs`; the error says where the run stands. */
export async function until(read: () => Promise<Run>, ok: (run: Run) => boolean, timeoutMs = 8_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await read();
    if (ok(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out; run is ${run.status} at ${run.current_step_id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
