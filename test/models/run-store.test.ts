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
    await store.insert(run);
    const next = transition(run, { type: 'advance', actor: alice }, { now: 2_000 });
    if (!next.ok) throw new Error('advance failed');
    expect(await store.saveIfRev(next.run, 1, run.audit.length)).toEqual({ run: next.run, rev: 2 });
    expect(await store.saveIfRev(next.run, 1, run.audit.length)).toBeNull();
    const loaded = await store.load(run.id);
    expect(loaded.rev).toBe(2);
    expect(loaded.run).toEqual(next.run);
    expect(loaded.run.audit.map((a) => a.command)).toEqual(['start', 'advance']);
  });

  it('lists runs holding a wait with their due time', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    const waiting = transition(run, { type: 'advance', actor: alice }, { now: 2_000 });
    if (!waiting.ok) throw new Error('advance failed');
    await store.insert(waiting.run);
    const pending = await store.pendingWaits();
    expect(pending).toContainEqual({ run_id: run.id, status: 'waiting', wait: waiting.run.wait });
  });

  it('says which run was not found', async () => {
    await expect(createRunStore(db.conn()).load('run_missing00000')).rejects.toMatchObject({ code: 'not_found', message: 'run run_missing00000 not found' });
  });
});
