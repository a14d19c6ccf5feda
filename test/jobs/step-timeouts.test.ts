// Human steps' and runs' deadlines on the real queue and store: the reminder at half time
// and the timeouts each apply once; after Redis lost the timers the reconciler puts them back or
// applies the overdue ones, once.
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
const REVIEW = { name: 'Review in 2 s', steps: [{ label: 'Review', timeout_seconds: 2 }, { label: 'Merge' }] };
/** A gate whose approver has 1 s before it is rejected. */
const SIGN_OFF = { name: 'Sign-off in 1 s', steps: [{ label: 'Sign-off', type: 'gate', approvers: ['U0BOB'], approval_timeout_seconds: 1 }, { label: 'Ship' }] };
/** A run given 1 s that would wait 30 s. */
const HURRIED = { name: 'Done in 1 s', timeout_seconds: 1, steps: [{ label: 'Settle', type: 'wait', wait_seconds: 30 }, { label: 'After' }] };

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});
afterAll(async () => {
  await deleteKeysUnder(redis.redis(), redis.prefix());
});

function rig() {
  const scheduler = createWaitScheduler({ connection: createRedis(redis.url), prefix: redis.prefix() });
  const runs = createRunStore(db.conn());
  const service = createRunService({ runs, runbooks: snapshotLookup([REVIEW, HURRIED, SIGN_OFF]), effects: waitEffectHandlers(scheduler) });
  const reconciler = createWaitReconciler({ runs, scheduler, service });
  const startWorker = (): Worker => {
    const connection = createRedis(redis.url, { forWorker: true });
    const worker = createWaitWorker({ connection, prefix: redis.prefix(), service });
    closers.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    return worker;
  };
  closers.push(() => scheduler.close());
  return { service, reconciler, startWorker };
}

const fired = async (service: RunService, run: Run) => (await service.audit(run.id)).filter((a) => a.command === 'timer_fired').length;


describe('step deadlines on the queue', () => {
  it('reminds at half time and fails the step at its deadline, each once', async () => {
    const { service, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: REVIEW.name, actor: alice });
    expect(run.timers.map((t) => t.kind)).toEqual(['step_reminder', 'step_timeout']);
    const reminded = await until(() => service.get(run.id), (r) => r.steps[0]!.reminded);
    expect(reminded.status).toBe('running');
    const failed = await until(() => service.get(run.id), (r) => r.status === 'failed');
    expect(failed.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 2 s', reminded: true });
    expect(failed.steps[0]!.completed_at! - run.steps[0]!.started_at!).toBeGreaterThanOrEqual(2_000);
    expect(await fired(service, failed)).toBe(2);
  });

  it('after Redis lost its timers, the reconciler applies the overdue ones once', async () => {
    const { service, reconciler, startWorker } = rig();
    const run = await service.start({ runbook: REVIEW.name, actor: alice });
    expect(await deleteKeysUnder(redis.redis(), redis.prefix())).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2_200));
    startWorker();
    const [first, second] = await Promise.all([reconciler.reconcile(), reconciler.reconcile()]);
    expect(first).toBe(second);
    const after = await service.get(run.id);
    expect(after.status).toBe('failed');
    expect(after.steps[0]).toMatchObject({ error: 'timed out after 2 s', reminded: true });
    expect((await reconciler.reconcile()).fired).toBe(0);
    expect(await fired(service, after)).toBe(2);
  });

  it('after Redis lost its timers, the reconciler puts back those still ahead', async () => {
    const { service, reconciler, startWorker } = rig();
    const run = await service.start({ runbook: REVIEW.name, actor: alice });
    await deleteKeysUnder(redis.redis(), redis.prefix());
    startWorker();
    expect((await reconciler.reconcile()).rescheduled).toBe(2);
    const failed = await until(() => service.get(run.id), (r) => r.status === 'failed');
    expect(await fired(service, failed)).toBe(2);
  });

  it('fails a run at its own deadline, in the middle of a long wait, once', async () => {
    const { service, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: HURRIED.name, actor: alice });
    expect(run.status).toBe('waiting');
    const failed = await until(() => service.get(run.id), (r) => r.status === 'failed');
    expect(failed).toMatchObject({ error_message: 'run timed out after 1 s', wait: null, timers: [] });
    expect(failed.steps[0]).toMatchObject({ status: 'failed', error: 'run timed out after 1 s' });
    expect(await fired(service, failed)).toBe(1);
  });

  it('an approval deadline that passes while no bot runs fires once when one starts again', async () => {
    const { service, startWorker } = rig();
    const run = await service.start({ runbook: SIGN_OFF.name, actor: alice });
    // No worker while the deadline passes: the bot is down; its delayed job waits in Redis.
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await service.get(run.id)).status).toBe('running');
    startWorker();
    const after = await until(() => service.get(run.id), (r) => r.status === 'failed');
    expect(after).toMatchObject({ error_message: 'step "Sign-off" failed: rejected by the approval deadline', timers: [] });
    // A second process starting later finds nothing left to fire.
    startWorker();
    await new Promise((r) => setTimeout(r, 300));
    expect(await fired(service, after)).toBe(1);
  });

  it('an approval deadline survives Redis losing its timer: the reconciler rejects the gate once', async () => {
    const { service, reconciler, startWorker } = rig();
    const run = await service.start({ runbook: SIGN_OFF.name, actor: alice });
    expect(run.timers.map((t) => t.kind)).toEqual(['approval_timeout']);
    expect(await deleteKeysUnder(redis.redis(), redis.prefix())).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_200));
    startWorker();
    expect((await service.get(run.id)).status).toBe('running');
    const [first, second] = await Promise.all([reconciler.reconcile(), reconciler.reconcile()]);
    expect(first).toBe(second);
    const after = await service.get(run.id);
    expect(after).toMatchObject({ status: 'failed', error_message: 'step "Sign-off" failed: rejected by the approval deadline' });
    expect((await reconciler.reconcile()).fired).toBe(0);
    expect(await fired(service, after)).toBe(1);
  });

  it('a step done in time leaves nothing to fire', async () => {
    const { service, reconciler, startWorker } = rig();
    startWorker();
    const run = await service.start({ runbook: REVIEW.name, actor: alice });
    const { run: done } = await service.apply(run.id, { type: 'advance', actor: alice });
    expect(done.timers).toEqual([]);
    await new Promise((r) => setTimeout(r, 2_300));
    const after = await service.get(run.id);
    expect(after).toMatchObject({ status: 'running', current_step_id: after.runbook.steps[1]!.id });
    expect(await fired(service, after)).toBe(0);
    expect((await reconciler.reconcile()).checked).toBe(0);
  });
});
