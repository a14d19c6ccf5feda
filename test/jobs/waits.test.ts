import type { Worker } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Actor, Run } from '../../src/engine/index.js';
import { createRedis } from '../../src/jobs/redis.js';
import { waitEffectHandlers } from '../../src/jobs/wait-effects.js';
import { createWaitScheduler } from '../../src/jobs/wait-queue.js';
import { createWaitReconciler } from '../../src/jobs/wait-reconciler.js';
import { createWaitWorker } from '../../src/jobs/wait-worker.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createRunService, type RunService } from '../../src/services/run-service.js';
import { useTestDatabase } from '../support/mongo.js';
import { deleteKeysUnder, useTestRedis } from '../support/redis.js';
import { snapshotLookup } from '../support/snapshots.js';
import { until } from '../support/waits.js';

const db = useTestDatabase();
const redis = useTestRedis();
const alice: Actor = { kind: 'slack', id: 'U0ALICE' };
const waits = (seconds: number) => ({
  name: `Wait ${seconds}`,
  steps: [{ label: 'Settle', type: 'wait', wait_seconds: seconds }, { label: 'After' }],
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

let current: RunService | null = null;
const elapsedCount = async (run: Run) => (await current!.audit(run.id)).filter((a) => a.command === 'wait_elapsed').length;

function rig() {
  const scheduler = createWaitScheduler({ connection: createRedis(redis.url), prefix: redis.prefix() });
  const runs = createRunStore(db.conn());
  const service = createRunService({ runs, runbooks: snapshotLookup([waits(1), waits(2)]), effects: waitEffectHandlers(scheduler) });
  const reconciler = createWaitReconciler({ runs, scheduler, service });
  const workers: Worker[] = [];
  const startWorker = () => {
    const connection = createRedis(redis.url, { forWorker: true });
    const worker = createWaitWorker({ connection, prefix: redis.prefix(), service });
    workers.push(worker);
    closers.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    return worker;
  };
  closers.push(async () => {
    await scheduler.close();
  });
  current = service;
  return { scheduler, runs, service, reconciler, startWorker };
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const movedOn = (run: Run) => run.status === 'running' && run.current_step_id === run.runbook.steps[1]?.id;

afterAll(async () => {
  await deleteKeysUnder(redis.redis(), redis.prefix());
});

describe('durable waits', () => {
  it('fires a 1 s wait and the run continues', async () => {
    const { service, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: 'Wait 1', actor: alice });
    expect(run.status).toBe('waiting');
    const after = await until(() => service.get(run.id), movedOn);
    const settled = after.steps[0];
    expect(settled?.status).toBe('completed');
    expect(settled?.completed_at).toBeGreaterThanOrEqual(run.wait?.due_at ?? Infinity);
    expect(await elapsedCount(after)).toBe(1);
  });

  it('fires after the worker is restarted mid-wait', async () => {
    const { service, startWorker } = rig();
    const first = startWorker();
    const run = await service.start({ runbook: 'Wait 2', actor: alice });
    await sleep(300);
    await first.close();
    await sleep(300);
    startWorker();
    const after = await until(() => service.get(run.id), movedOn);
    expect(await elapsedCount(after)).toBe(1);
  });

  it('fires an overdue wait once after Redis lost its jobs, and never again', async () => {
    const { service, reconciler, startWorker } = rig();
    const run = await service.start({ runbook: 'Wait 1', actor: alice });
    expect(await deleteKeysUnder(redis.redis(), redis.prefix())).toBeGreaterThan(0);
    await sleep(1_200);
    startWorker();
    await sleep(300);
    expect((await service.get(run.id)).status).toBe('waiting');
    const [first, second] = await Promise.all([reconciler.reconcile(), reconciler.reconcile()]);
    expect(first).toBe(second);
    const fired = await service.get(run.id);
    expect(movedOn(fired)).toBe(true);
    const again = await reconciler.reconcile();
    expect(again.fired).toBe(0);
    expect(await elapsedCount(await service.get(run.id))).toBe(1);
  });

  it('puts back a wait still ahead after Redis lost its jobs', async () => {
    const { service, reconciler, startWorker } = rig();
    const run = await service.start({ runbook: 'Wait 2', actor: alice });
    await deleteKeysUnder(redis.redis(), redis.prefix());
    startWorker();
    const report = await reconciler.reconcile();
    expect(report.rescheduled).toBeGreaterThanOrEqual(1);
    const after = await until(() => service.get(run.id), movedOn);
    expect(await elapsedCount(after)).toBe(1);
  });

  it('holds a paused run past its due time and continues at once on resume', async () => {
    const { service, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: 'Wait 1', actor: alice });
    await service.apply(run.id, { type: 'pause', actor: alice });
    await sleep(1_500);
    const held = await service.get(run.id);
    expect(held.status).toBe('paused');
    expect(held.wait?.due_at).toBe(run.wait?.due_at);
    const { run: resumed } = await service.apply(run.id, { type: 'resume', actor: alice });
    expect(movedOn(resumed)).toBe(true);
  });

  it('schedules the wait again when resumed before the due time', async () => {
    const { service, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: 'Wait 2', actor: alice });
    await service.apply(run.id, { type: 'pause', actor: alice });
    const { run: resumed } = await service.apply(run.id, { type: 'resume', actor: alice });
    expect(resumed.status).toBe('waiting');
    const after = await until(() => service.get(run.id), movedOn);
    expect(await elapsedCount(after)).toBe(1);
  });

  it('drops the timer when a waiting run is cancelled', async () => {
    const { service, scheduler, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: 'Wait 2', actor: alice });
    expect(await scheduler.queue.getDelayedCount()).toBeGreaterThanOrEqual(1);
    const jobsBefore = await scheduler.queue.getJobs(['delayed']);
    expect(jobsBefore.some((j) => j.data.runId === run.id)).toBe(true);
    await service.apply(run.id, { type: 'cancel', actor: alice });
    const jobsAfter = await scheduler.queue.getJobs(['delayed']);
    expect(jobsAfter.some((j) => j.data.runId === run.id)).toBe(false);
  });
});
