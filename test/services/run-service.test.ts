import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { Actor, Effect } from '../../src/engine/index.js';
import { APPLIED_KEYS_WINDOW } from '../../src/engine/index.js';
import { runModel } from '../../src/models/run-model.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createRunService } from '../../src/services/run-service.js';
import { useTestDatabase } from '../support/mongo.js';
import { snapshotLookup } from '../support/snapshots.js';

const db = useTestDatabase();
const alice: Actor = { kind: 'slack', id: 'U0ALICE', name: 'alice' };
const deploy = {
  name: 'Deploy',
  variables: [{ name: 'version', required: true }],
  steps: [
    { label: 'Pull', ref: 'pull', instruction: 'Pull {version}' },
    { label: 'Test', ref: 'test', type: 'check', next_on_outcome: { fail: 'step:pull' } },
    { label: 'Settle', type: 'wait', wait_seconds: 60 },
  ],
};

function setup() {
  const effects: Effect[] = [];
  const record = async (effect: Effect) => void effects.push(effect);
  const runs = createRunStore(db.conn());
  const service = createRunService({
    runs,
    runbooks: snapshotLookup([deploy]),
    effects: { scheduleWait: record, render: record, cancelWait: record },
  });
  return { service, runs, effects };
}

const rawDoc = async (id: string) => runModel(db.conn()).collection.findOne({ _id: id as never });

describe('run service against the database', () => {
  it('stores a started run and loads back exactly the same run', async () => {
    const { service, runs, effects } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '2.5.0' }, actor: alice, trigger: { source: 'api', context: { 'alert.id': 'a-1', $ref: [1, { x: null }] } } });
    expect(run.id).toMatch(/^run_[a-z0-9]{12}$/);
    expect(run.steps.every((s) => /^rrs_[a-z0-9]{12}$/.test(s.id))).toBe(true);
    expect(await runs.load(run.id)).toEqual(run);
    expect(effects).toContainEqual({ type: 'render', run_id: run.id });
  });

  it('round-trips arbitrary user JSON in outputs, whatever its keys', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const output = { 'a.b': { $gt: 1, '': 'empty key', 'ü.ñ': ['x', [1, [2]], { 'deep.er': true }] }, $where: 'no', n: 1.5e-7, big: 2 ** 53 - 1, nil: null };
    const { run: advanced } = await service.apply(run.id, { type: 'advance', actor: alice, notes: 'with <@U123> and <!channel>', output });
    const loaded = await service.get(run.id);
    expect(loaded).toEqual(advanced);
    expect(loaded.steps[0]?.output).toEqual(output);
    expect(loaded.steps[0]?.notes).toBe('with <@U123> and <!channel>');
  });

  it('applies exactly one of 20 concurrent commands and reports a conflict for the rest', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.apply(run.id, { type: 'advance', actor: { kind: 'slack', id: `U${i}` }, step_id: run.current_step_id ?? '', visit: 1, key: `click-${i}` }),
      ),
    );
    const applied = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(applied).toHaveLength(1);
    expect(refused).toHaveLength(19);
    expect(refused.every((r) => r.reason.code === 'conflict')).toBe(true);
    const stored = await service.get(run.id);
    expect((await service.audit(run.id)).filter((a) => a.command === 'advance')).toHaveLength(1);
    expect(stored.steps.map((s) => s.status)).toEqual(['completed', 'active', 'pending']);
  });

  it('pauses once when 20 pause commands arrive at once', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => service.apply(run.id, { type: 'pause', actor: alice })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await service.audit(run.id)).filter((a) => a.command === 'pause')).toHaveLength(1);
  });

  it('applies a command once when the same key arrives 20 times at once', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const results = await Promise.all(Array.from({ length: 20 }, () => service.apply(run.id, { type: 'advance', actor: alice, key: '1700000000.000100' })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const stored = await service.get(run.id);
    expect(stored.applied_keys).toEqual(['1700000000.000100']);
    expect(stored.current_step_id).toBe(run.runbook.steps[1]?.id);
  });

  it('returns the current state and writes nothing for a key already applied', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    await service.apply(run.id, { type: 'advance', actor: alice, key: 'k-1' });
    const before = await rawDoc(run.id);
    const again = await service.apply(run.id, { type: 'advance', actor: alice, key: 'k-1' });
    expect(again.duplicate).toBe(true);
    expect(await rawDoc(run.id)).toEqual(before);
  });

  it('leaves the stored run exactly as it was when a command is refused', async () => {
    const { service } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const before = await rawDoc(run.id);
    await expect(service.apply(run.id, { type: 'resume', actor: alice })).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.apply(run.id, { type: 'advance', actor: alice, outcome: 'NOT OK' })).rejects.toMatchObject({ code: 'validation', message: expect.stringContaining('outcome') });
    await expect(service.apply(run.id, { type: 'skip', actor: alice })).rejects.toMatchObject({ code: 'validation' });
    expect(await rawDoc(run.id)).toEqual(before);
  });

  it('refuses a missing variable at start and stores nothing', async () => {
    const { service } = setup();
    await expect(service.start({ runbook: 'Deploy', actor: alice })).rejects.toMatchObject({ code: 'validation', message: 'missing required variable "version"' });
    await expect(service.start({ runbook: 'Nope', actor: alice })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('has each command in run_events when it returns: the event is written first, as the claim', async () => {
    const runs = createRunStore(db.conn());
    const service = createRunService({ runs, runbooks: snapshotLookup([deploy]) });
    const events = () => db.conn().collection('run_events');
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    expect(await events().countDocuments({ run_id: run.id })).toBe(1);
    await service.apply(run.id, { type: 'advance', actor: alice });
    expect(await events().countDocuments({ run_id: run.id })).toBe(2);
    await service.apply(run.id, { type: 'pause', actor: alice });
    await service.apply(run.id, { type: 'resume', actor: alice });
    await service.apply(run.id, { type: 'cancel', actor: alice, reason: 'done here' });
    const trail = await service.audit(run.id);
    expect(trail.map((e) => [e.seq, e.command])).toEqual([[1, 'start'], [2, 'advance'], [3, 'pause'], [4, 'resume'], [5, 'cancel']]);
    expect(trail[4]).toMatchObject({ notes: 'done here', from_status: 'running', to_status: 'cancelled', actor: alice });
    expect(await events().countDocuments({ run_id: run.id })).toBe(5);
  });

  it('answers a key applied before the run’s key window as a duplicate, and changes nothing', async () => {
    const { service, runs } = setup();
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    for (let n = 1; n <= APPLIED_KEYS_WINDOW + 2; n += 1) await service.apply(run.id, { type: n % 2 === 1 ? 'pause' : 'resume', actor: alice, key: `k${n}` });
    const before = await service.get(run.id);
    expect(before.applied_keys).not.toContain('k1');
    // A retry of the first pause, long after: the run is running and would pause again.
    expect(before.status).toBe('running');
    const fresh = createRunService({ runs, runbooks: snapshotLookup([deploy]) }); // nothing cached
    expect(await fresh.apply(run.id, { type: 'pause', actor: alice, key: 'k1' })).toMatchObject({ duplicate: true, run: { status: 'running' } });
    expect(await service.get(run.id)).toEqual(before);
  });

  it('re-reads and re-applies a command that lost its claim to another service on the same run', async () => {
    const runs = createRunStore(db.conn());
    const lookup = snapshotLookup([deploy]);
    const mine = createRunService({ runs, runbooks: lookup });
    const theirs = createRunService({ runs, runbooks: lookup });
    const run = await mine.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    await mine.apply(run.id, { type: 'advance', actor: alice }); // mine now caches the running run at seq 2
    await theirs.apply(run.id, { type: 'pause', actor: alice }); // seq 3, behind mine's back
    // Mine computes the cancel on its stale copy, loses the claim of seq 3, re-reads and cancels the paused run.
    const result = await mine.apply(run.id, { type: 'cancel', actor: alice });
    expect(result).toMatchObject({ duplicate: false, run: { status: 'cancelled', audit_seq: 4 } });
    const trail = await mine.audit(run.id);
    expect(trail.map((e) => e.command)).toEqual(['start', 'advance', 'pause', 'cancel']);
    expect(trail[3]).toMatchObject({ from_status: 'paused', to_status: 'cancelled' });
  });

  it('lists runs by status, newest activity first', async () => {
    const { service } = setup();
    const a = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    const b = await service.start({ runbook: 'Deploy', variables: { version: '2' }, actor: alice });
    await service.apply(a.id, { type: 'pause', actor: alice });
    const paused = await service.list({ status: ['paused'] });
    expect(paused.map((r) => r.id)).toContain(a.id);
    expect(paused.map((r) => r.id)).not.toContain(b.id);
    const mine = await service.list({ startedBy: 'U0ALICE', limit: 100 });
    expect(mine.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });
});

describe('a commit the store did not confirm', () => {
  /** The real store, but its commit either writes and then loses the answer, or never gets through. */
  function unconfirmed(landed: boolean) {
    const effects: Effect[] = [];
    const record = async (effect: Effect) => void effects.push(effect);
    const real = createRunStore(db.conn());
    let failNext = false;
    const runs: typeof real = {
      ...real,
      async commit(before, after, entry) {
        if (!failNext) return real.commit(before, after, entry);
        failNext = false;
        if (landed) await real.commit(before, after, entry);
        throw new mongoose.mongo.MongoNetworkTimeoutError('connection 7 to 127.0.0.1:27017 timed out');
      },
    };
    const service = createRunService({ runs, runbooks: snapshotLookup([deploy]), effects: { scheduleWait: record, render: record, cancelWait: record } });
    return { service, runs: real, effects, failNextCommit: () => (failNext = true) };
  }

  async function toTheWait(service: ReturnType<typeof createRunService>) {
    const run = await service.start({ runbook: 'Deploy', variables: { version: '1' }, actor: alice });
    await service.apply(run.id, { type: 'advance', actor: alice });
    return run.id;
  }

  it('performs the command’s effects once settle finds its event landed after all, and renders the run', async () => {
    const { service, runs, effects, failNextCommit } = unconfirmed(true);
    const runId = await toTheWait(service);
    failNextCommit();
    await expect(service.apply(runId, { type: 'advance', actor: alice, outcome: 'pass' })).rejects.toThrow('timed out');
    effects.length = 0;

    expect(await service.settle()).toEqual({ settled: 1, landed: 1 });
    expect(effects.filter((e) => e.type === 'scheduleWait')).toHaveLength(1);
    expect(effects).toContainEqual({ type: 'render', run_id: runId });
    expect((await runs.load(runId)).status).toBe('waiting');
    expect(await service.settle()).toEqual({ settled: 0, landed: 0 });
  });

  it('only renders the run when the event never landed, and the command can be sent again', async () => {
    const { service, runs, effects, failNextCommit } = unconfirmed(false);
    const runId = await toTheWait(service);
    failNextCommit();
    await expect(service.apply(runId, { type: 'advance', actor: alice, outcome: 'pass' })).rejects.toThrow('timed out');
    effects.length = 0;

    expect(await service.settle()).toEqual({ settled: 1, landed: 0 });
    expect(effects).toEqual([{ type: 'render', run_id: runId }]);
    expect((await runs.load(runId)).status).toBe('running');
    await service.apply(runId, { type: 'advance', actor: alice, outcome: 'pass' });
    expect((await runs.load(runId)).status).toBe('waiting');
  });
});
