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

  it('reads a run stored before runs had a driver as a person’s, with no gate decisions', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    await store.insert(run, []);
    // As an older version wrote it: no driver on the run, no decided_by on its steps.
    await db.conn().collection('runs').updateOne({ _id: run.id as never }, { $unset: { driver: '', 'steps.0.decided_by': '', 'steps.1.decided_by': '' } });
    const raw = await db.conn().collection('runs').findOne({ _id: run.id as never });
    expect(raw).not.toHaveProperty('driver');
    const loaded = (await store.load(run.id)).run;
    expect(loaded.driver).toBe('person');
    expect(loaded.steps.map((s) => s.decided_by)).toEqual([null, null]);
  });

  it('pages through runs newest first with a cursor, filtered by runbook and status', async () => {
    const store = createRunStore(db.conn());
    const snapshot = compileSnapshot({ name: 'Paged', steps: [{ label: 'One' }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: alice }, { now: 10_000 + i, ids: () => newId('rrs') });
      if (!result.ok) throw new Error('start failed');
      await store.insert(result.run, []);
      ids.push(result.run.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.page({ runbookId: snapshot.runbook_id, status: ['running'], limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.every((r) => r.progress.total_steps === 1 && r.progress.remaining === 1)).toBe(true);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    await expect(store.page({ limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'validation' });
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
