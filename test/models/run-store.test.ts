import { describe, expect, it } from 'vitest';
import { APPLIED_KEYS_WINDOW, startRun, transition, type Run } from '../../src/engine/index.js';
import { newId } from '../../src/ids.js';
import { auditToDocs, toRunDoc } from '../../src/models/run-codec.js';
import { createRunStore, SNAPSHOT_EVERY } from '../../src/models/run-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { compileSnapshot } from '../support/snapshots.js';

const db = useTestDatabase();
const alice = { kind: 'slack' as const, id: 'U0ALICE' };

function advance(run: Run, now: number) {
  const next = transition(run, { type: 'advance', actor: alice }, { now });
  if (!next.ok || next.duplicate) throw new Error('advance failed');
  return next;
}

function started() {
  const snapshot = compileSnapshot({ name: 'S', steps: [{ label: 'One' }, { label: 'Two', type: 'wait', wait_seconds: 5 }] });
  const result = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: alice }, { now: 1_000, ids: () => newId('rrs') });
  if (!result.ok) throw new Error('start failed');
  return result.run;
}

describe('run store', () => {
  it('commits a transition only from the state it was computed from', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    await store.insert(run, []);
    const next = advance(run, 2_000);
    const rival = transition(run, { type: 'pause', actor: alice }, { now: 2_000 });
    if (!rival.ok || rival.duplicate) throw new Error('pause failed');
    expect(await store.commit(run, next.run, next.audit)).toEqual({ committed: true });
    expect(await store.commit(run, rival.run, rival.audit)).toEqual({ committed: false });
    expect(await store.load(run.id)).toEqual(next.run);
    expect((await store.audit(run.id)).map((e) => e.command)).toEqual(['advance']);
  });

  it('keeps in each event only the fields and steps its transition changed, and pins the runbook version by reference', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    await store.insert(run, []);
    const next = advance(run, 2_000);
    await store.commit(run, next.run, next.audit);
    const event = await db.conn().collection('run_events').findOne({ _id: `${run.id}-${next.audit.seq}` as never });
    const patch = event?.patch as { set: Record<string, unknown>; steps: { i: number }[] };
    // Step one finished and step two (a wait) began; nothing about the run's identity moved.
    expect(patch.steps.map((s) => s.i)).toEqual([0, 1]);
    expect(Object.keys(patch.set).sort()).toEqual(['audit_seq', 'current_step_id', 'status', 'updated_at', 'visit_count', 'wait']);
    const raw = await db.conn().collection('runs').findOne({ _id: run.id as never });
    expect(raw).not.toHaveProperty('runbook_json');
    expect(raw).toMatchObject({ runbook_id: run.runbook.runbook_id, runbook_version: 1, audit_seq: next.run.audit_seq });
  });

  it('brings a run document left behind, or overwritten by a late older write, forward from its events', async () => {
    const store = createRunStore(db.conn());
    const first = started();
    await store.insert(first, []);
    const second = advance(first, 2_000);
    await store.commit(first, second.run, second.audit);
    const third = transition(second.run, { type: 'pause', actor: alice }, { now: 3_000 });
    if (!third.ok || third.duplicate) throw new Error('pause failed');
    await store.commit(second.run, third.run, third.audit);
    // A writer that stalled after its event lands its write of the first state last.
    const { _id, ...stale } = toRunDoc(first);
    await db.conn().collection('runs').updateOne({ _id: first.id as never }, { $set: stale });
    expect(await store.load(first.id)).toEqual(third.run);
    // The read also caught the document up, for queries that read it directly.
    expect(await db.conn().collection('runs').findOne({ _id: first.id as never })).toMatchObject({ status: 'paused', audit_seq: third.run.audit_seq });
  });

  it('reads runs stored by earlier versions: a copy of the runbook in the run, audit entries in an outbox', async () => {
    const run = started();
    const next = advance(run, 2_000);
    // As an older version wrote it: the whole definition inside, a rev, the last entry not yet in run_events.
    // Its keys had left the window: the oldest was only in run_events.
    await db.conn().collection('runs').insertOne({ ...toRunDoc(next.run), keys_evicted: true, rev: 2, runbook_json: JSON.stringify(run.runbook), audit_outbox: auditToDocs([next.audit]) } as never);
    const start = { seq: 1, at: 1_000, actor: alice, source: null, command: 'start', key: 'long-ago', step_id: null, visit: null, outcome: null, notes: null, from_status: 'pending', to_status: 'running' } as const;
    await db.conn().collection('run_events').insertOne({ ...auditToDocs([start])[0], _id: `${run.id}-1`, run_id: run.id } as never);
    const fresh = createRunStore(db.conn()); // no cached version: it must come from the run itself
    expect(await fresh.load(run.id)).toEqual({ ...next.run, keys_evicted: true });
    expect((await fresh.audit(run.id)).map((e) => e.command)).toEqual(['start', 'advance']);
    expect(await db.conn().collection('run_events').countDocuments({ run_id: run.id })).toBe(2);
    expect(await db.conn().collection('runs').findOne({ _id: run.id as never })).not.toHaveProperty('audit_outbox');
    expect(await fresh.keyApplied(run.id, 'long-ago')).toBe(true);
    expect(await fresh.keyApplied(run.id, 'never')).toBe(false);
  });

  it('reads a run’s runbook version from runbook_versions, and names the version when it is missing', async () => {
    const run = started();
    await createRunStore(db.conn()).insert(run, []);
    const { runbook_id, version, ...compiled } = run.runbook;
    await expect(createRunStore(db.conn()).load(run.id)).rejects.toMatchObject({
      code: 'internal',
      message: `runbook "S" v1, which a run is pinned to, is missing from runbook_versions`,
    });
    await db.conn().collection('runbook_versions').insertOne({ _id: `${runbook_id}-v${version}`, runbook_id, number: version, compiled_json: JSON.stringify(compiled) } as never);
    expect(await createRunStore(db.conn()).load(run.id)).toEqual(run);
  });

  it('reads a run stored before runs had a driver as a person’s, with no gate decisions', async () => {
    const store = createRunStore(db.conn());
    const run = started();
    await store.insert(run, []);
    // As an older version wrote it: no driver on the run, no decided_by on its steps.
    await db.conn().collection('runs').updateOne({ _id: run.id as never }, { $unset: { driver: '', 'steps.0.decided_by': '', 'steps.1.decided_by': '' } });
    const raw = await db.conn().collection('runs').findOne({ _id: run.id as never });
    expect(raw).not.toHaveProperty('driver');
    const loaded = await store.load(run.id);
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

  it('lists every run holding a wait however many there are, a page at a time (none left out, none twice)', async () => {
    const store = createRunStore(db.conn());
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const waiting = transition(started(), { type: 'advance', actor: alice }, { now: 2_000 + i });
      if (!waiting.ok) throw new Error('advance failed');
      await store.insert(waiting.run, []);
      ids.push(waiting.run.id);
    }
    const listed = (await store.pendingWaits(3)).map((p) => p.run_id).filter((id) => ids.includes(id));
    expect(listed.sort()).toEqual([...ids].sort());
  });

  it('keeps every applied command in the trail, and finds keys that have left the run’s window', async () => {
    const store = createRunStore(db.conn());
    let run = started();
    await store.insert(run, []);
    const commands = APPLIED_KEYS_WINDOW + 2;
    for (let n = 1; n <= commands; n += 1) {
      const next = transition(run, { type: n % 2 === 1 ? 'pause' : 'resume', actor: alice, key: `k${n}` }, { now: 2_000 + n });
      if (!next.ok || next.duplicate) throw new Error('transition failed');
      await store.commit(run, next.run, next.audit);
      run = next.run;
    }
    const trail = await store.audit(run.id);
    expect(trail.map((e) => e.seq)).toEqual(Array.from({ length: commands }, (_, i) => i + 2));
    expect(run.applied_keys).not.toContain('k2');
    expect([await store.keyApplied(run.id, 'k1'), await store.keyApplied(run.id, 'k2'), await store.keyApplied(run.id, 'k3'), await store.keyApplied(run.id, 'k9')]).toEqual([true, true, false, false]);
  });

  describe('run documents written when a snapshot is due', () => {
    const runDoc = (id: string) => db.conn().collection('runs').findOne({ _id: id as never });

    /**
     * A run of ten action steps, advanced `advances` times through the store, and with
     * `lagging` on until its last command left the document behind (which commands write it
     * depends on the run's id).
     */
    async function advancedThrough(advances: number, opts: { lagging?: boolean } = {}) {
      const store = createRunStore(db.conn());
      const snapshot = compileSnapshot({ name: 'Long', steps: Array.from({ length: 10 }, (_, i) => ({ label: `Step ${i + 1}` })) });
      const result = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: alice }, { now: 1_000, ids: () => newId('rrs') });
      if (!result.ok) throw new Error('start failed');
      let run = result.run;
      // Stored as publishing would, so a store without this version cached can read the run.
      const { runbook_id, version, ...compiled } = snapshot;
      await db.conn().collection('runbook_versions').insertOne({ _id: `${runbook_id}-v${version}`, runbook_id, number: version, compiled_json: JSON.stringify(compiled) } as never);
      await store.insert(run, []);
      const written: number[] = [];
      for (let n = 1; n <= advances || (opts.lagging && written.at(-1) === run.audit_seq); n += 1) {
        const next = advance(run, 1_000 + n);
        await store.commit(run, next.run, next.audit);
        run = next.run;
        written.push((await runDoc(run.id))?.audit_seq as number);
      }
      return { store, run, written };
    }

    it('writes the document on one command in every SNAPSHOT_EVERY, and otherwise only inserts the event', async () => {
      const { run, written } = await advancedThrough(SNAPSHOT_EVERY + 1);
      // Each command's seq, and the seq the document was at after it.
      const seqs = Array.from({ length: SNAPSHOT_EVERY + 1 }, (_, i) => run.audit_seq - SNAPSHOT_EVERY + i);
      const writes = seqs.filter((seq, i) => written[i] === seq);
      expect(writes.length).toBeGreaterThanOrEqual(1);
      expect(writes.length).toBeLessThanOrEqual(2);
      // Between writes the document stays where it was, never more than SNAPSHOT_EVERY - 1 behind.
      seqs.forEach((seq, i) => expect(seq - (written[i] ?? 0)).toBeLessThan(SNAPSHOT_EVERY));
      expect(written.some((at, i) => at < (seqs[i] ?? 0))).toBe(true);
    });

    it('reads a run whose document lags as it is now, from any process, without writing the document', async () => {
      const { run } = await advancedThrough(1, { lagging: true });
      const before = await runDoc(run.id);
      expect(before?.audit_seq).toBeLessThan(run.audit_seq);
      expect(await createRunStore(db.conn()).load(run.id)).toEqual(run);
      expect(await runDoc(run.id)).toEqual(before);
    });

    it('writes the document at once when the run’s status or wait changes, for the queries that select on them', async () => {
      const { store, run } = await advancedThrough(2);
      const paused = transition(run, { type: 'pause', actor: alice }, { now: 9_000 });
      if (!paused.ok || paused.duplicate) throw new Error('pause failed');
      await store.commit(run, paused.run, paused.audit);
      expect(await runDoc(run.id)).toMatchObject({ status: 'paused', audit_seq: paused.run.audit_seq });
      expect((await store.list({ status: ['paused'], runbookId: run.runbook.runbook_id })).map((r) => r.id)).toEqual([run.id]);
      expect(await store.countActive(run.runbook.runbook_id)).toBe(1);
    });

    it('lists and pages runs where they are now, not where their documents were written', async () => {
      const { store, run } = await advancedThrough(3, { lagging: true });
      expect((await runDoc(run.id))?.audit_seq).toBeLessThan(run.audit_seq);
      const done = run.steps.filter((s) => s.status === 'completed').length;
      const expected = { id: run.id, current_step_id: run.current_step_id, progress: { total_steps: 10, completed: done, remaining: 10 - done }, updated_at: run.updated_at };
      expect((await store.list({ runbookId: run.runbook.runbook_id }))[0]).toMatchObject(expected);
      expect((await store.page({ runbookId: run.runbook.runbook_id, limit: 5 })).items[0]).toMatchObject(expected);
    });

    it('finds the runs with a tool call out for the reconciler, whichever command wrote their documents', async () => {
      const store = createRunStore(db.conn());
      const snapshot = compileSnapshot({ name: 'Probe', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'probe' }, { label: 'Again', type: 'diagnose', tool: 'probe' }] });
      const started = startRun({ id: newId('run'), runbook: snapshot, variables: {}, device: 'web-01', started_by: alice }, { now: 1_000, ids: () => newId('rrs') });
      if (!started.ok) throw new Error('start failed');
      const { runbook_id, version, ...compiled } = snapshot;
      await db.conn().collection('runbook_versions').insertOne({ _id: `${runbook_id}-v${version}`, runbook_id, number: version, compiled_json: JSON.stringify(compiled) } as never);
      await store.insert(started.run, []);
      const idle = (await advancedThrough(1)).run; // a run of action steps: no call out
      const found = async () => (await createRunStore(db.conn()).toolCallsOut()).map((r) => r.id);
      expect(started.run.steps[0]?.tool_running).toBe(true);
      expect(await found()).toContain(started.run.id);
      expect(await found()).not.toContain(idle.id);
      // The first result starts the second call: still out, whatever the document holds.
      const step = started.run.steps[0]!;
      const first = transition(started.run, { type: 'tool_result', actor: alice, step_id: step.step_id, visit: step.visit, ok: true, output: { value: 1 } }, { now: 2_000 });
      if (!first.ok || first.duplicate) throw new Error('result refused');
      await store.commit(started.run, first.run, first.audit);
      expect(await found()).toContain(started.run.id);
      const next = first.run.steps[1]!;
      const last = transition(first.run, { type: 'tool_result', actor: alice, step_id: next.step_id, visit: next.visit, ok: true, output: { value: 2 } }, { now: 3_000 });
      if (!last.ok || last.duplicate) throw new Error('result refused');
      await store.commit(first.run, last.run, last.audit);
      expect(last.run.status).toBe('completed');
      expect(await found()).not.toContain(started.run.id);
      // A document stored before the field existed counts as possibly out.
      await db.conn().collection('runs').updateOne({ _id: idle.id as never }, { $unset: { tool_call_out: '' } });
      expect(await found()).toContain(idle.id);
    });
  });

  it('says which run was not found', async () => {
    await expect(createRunStore(db.conn()).load('run_missing00000')).rejects.toMatchObject({ code: 'not_found', message: 'run run_missing00000 not found' });
  });
});
