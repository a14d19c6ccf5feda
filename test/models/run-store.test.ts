import { describe, expect, it } from 'vitest';
import { startRun, transition } from '../../src/engine/index.js';
import { newId } from '../../src/ids.js';
import { createRunStore } from '../../src/models/run-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { compileSnapshot } from '../support/snapshots.js';

const db = useTestDatabase();
const alice = { kind: 'slack' as const, id: 'U0ALICE' };

function started() {
  const snapshot = compileSnapshot({ name: 'S', steps: [{ label: 'One' }, { label: 'Two', type: 'wait', wait_seconds: 5 }] });
  const result = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: alice }, { now: 1_000, ids: () => newId('rrs') });
  if (!result.ok) throw new Error('start failed');
  return result.run;
}

describe('run store', () => {
  it('writes only when the stored rev is the one the writer read', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    await store.insert(run, []);
    const next = transition(run, { type: 'advance', actor: alice }, { now: 2_000 });
    if (!next.ok || next.duplicate) throw new Error('advance failed');
    expect(await store.saveIfRev(next.run, 1, [next.audit])).toEqual({ run: next.run, rev: 2, outbox: [next.audit] });
    expect(await store.saveIfRev(next.run, 1, [next.audit])).toBeNull();
    const loaded = await store.load(run.id);
    expect(loaded.rev).toBe(2);
    expect(loaded.run).toEqual(next.run);
    expect(loaded.outbox).toEqual([next.audit]);
  });

  it('lists runs holding a wait with their due time', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    const waiting = transition(run, { type: 'advance', actor: alice }, { now: 2_000 });
    if (!waiting.ok) throw new Error('advance failed');
    await store.insert(waiting.run, []);
    const pending = await store.pendingWaits();
    expect(pending).toContainEqual({ run_id: run.id, status: 'waiting', wait: waiting.run.wait });
  });

  it('keeps the audit trail whole when a copy to run_events is lost or written twice', async () => {
    const store = createRunStore(db.conn());
    let run = started();
    await store.insert(run, []);
    const entries = [];
    for (let rev = 1; rev <= 3; rev += 1) {
      const next = transition(run, { type: rev === 2 ? 'pause' : rev === 3 ? 'resume' : 'advance', actor: alice, key: `k${rev}` }, { now: 2_000 + rev });
      if (!next.ok || next.duplicate) throw new Error('transition failed');
      await store.saveIfRev(next.run, rev, [next.audit]);
      entries.push(next.audit);
      run = next.run;
    }
    // Only the first entry was ever copied; the last is still in the outbox; one is copied twice.
    await store.copyEvents(run.id, [entries[0]!]);
    await store.copyEvents(run.id, [entries[0]!]);
    expect((await store.audit(run.id)).map((e) => e.seq)).toEqual([2, 4]);
    await store.copyEvents(run.id, [entries[1]!, entries[2]!]);
    expect((await store.audit(run.id)).map((e) => e.command)).toEqual(['advance', 'pause', 'resume']);
    expect(await store.keyApplied(run.id, 'k2')).toBe(true);
    expect(await store.keyApplied(run.id, 'k9')).toBe(false);
  });

  it('says which run was not found', async () => {
    await expect(createRunStore(db.conn()).load('run_missing00000')).rejects.toMatchObject({ code: 'not_found', message: 'run run_missing00000 not found' });
  });
});
