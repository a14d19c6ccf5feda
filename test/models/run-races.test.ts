// Two writers on two connections racing for the same run, as two bot instances would: the
// store's claim (the run's next audit event, unique by _id) must let exactly one win every
// time, on whatever server the suite runs against. FerretDB v1 applies a filtered update as
// a read and then a write, so a claim resting on `updateOne({_id, rev})` would let both win.
import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { parseDefinition } from '../../src/engine/definition/index.js';
import { transition, type Actor, type Command, type Run } from '../../src/engine/index.js';
import { fireWait } from '../../src/jobs/wait-worker.js';
import { applyToolResult } from '../../src/jobs/tool-result-worker.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunStore, type RunStore } from '../../src/models/run-store.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { createRunService, type RunService } from '../../src/services/run-service.js';
import { createTestDbName } from '../support/mongo.js';

const RACES = 1_000;
/** A run may visit at most 1,000 steps (a loop guard); each race visits three. */
const RACES_PER_RUN = 100;
const agent: Actor = { kind: 'agent', id: 'racer' };

// A wait, a tool step and a check that loops back: every race leaves the run ready for the next.
const cycle = parseDefinition({
  name: 'Cycle',
  audience: 'agentic',
  steps: [
    { label: 'Hold', ref: 'hold', type: 'wait', wait_seconds: 60 },
    { label: 'Probe', ref: 'probe', type: 'diagnose', tool: 'echo', tool_input: { text: 'hi' } },
    { label: 'Again', ref: 'again', type: 'check', next_on_outcome: { again: 'step:hold', done: null } },
  ],
});

let conns: mongoose.Connection[] = [];
let stores: [RunStore, RunStore];
let runbooks: [RunbookStore, RunbookStore];
beforeAll(async () => {
  const name = createTestDbName();
  conns = [await connectMongo(inject('mongodbUri'), name), await connectMongo(inject('mongodbUri'), name)];
  stores = [createRunStore(conns[0]!), createRunStore(conns[1]!)];
  runbooks = [createRunbookStore(conns[0]!), createRunbookStore(conns[1]!)];
  if (!cycle.ok) throw new Error('the race runbook does not parse');
  await runbooks[0].save({ source: cycle.source, author: agent, publish: true });
});
afterAll(async () => {
  await conns[0]?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

const services = (): [RunService, RunService] => [createRunService({ runs: stores[0], runbooks: runbooks[0] }), createRunService({ runs: stores[1], runbooks: runbooks[1] })];

function apply(run: Run, command: Command, now: number) {
  const result = transition(run, command, { now });
  if (!result.ok || result.duplicate) throw new Error(`${command.type} refused: ${result.ok ? 'duplicate' : result.error.message}`);
  return result;
}

/** Every entry takes the run from where the previous one left it: no write was lost. */
async function expectUnbrokenTrail(store: RunStore, runId: string): Promise<void> {
  const trail = await store.audit(runId);
  expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
  const breaks = trail.slice(1).filter((e, i) => e.from_status !== trail[i]!.to_status);
  expect(breaks).toEqual([]);
}

/** Answers the check with "again", aimed at the step as stored (another instance moved the run). */
async function loopBack(service: RunService, id: string): Promise<Run> {
  const run = await stores[0].load(id);
  const check = run.steps.find((s) => s.step_id === run.current_step_id)!;
  return (await service.apply(id, { type: 'advance', actor: agent, outcome: 'again', step_id: check.step_id, visit: check.visit })).run;
}

describe('two writers racing for one run', () => {
  it(`lets exactly one of two commits from the same state win, ${RACES} times`, async () => {
    const [a] = services();
    const { id } = await a.start({ runbook: 'Cycle', actor: agent });
    const wins = [0, 0];
    for (let race = 0; race < RACES; race += 1) {
      const [mine, theirs] = await Promise.all([stores[0].load(id), stores[1].load(id)]);
      const kind = mine.status === 'paused' ? 'resume' : 'pause';
      const next = [apply(mine, { type: kind, actor: { kind: 'agent', id: 'a' } }, race), apply(theirs, { type: kind, actor: { kind: 'agent', id: 'b' } }, race)];
      const results = await Promise.all([stores[0].commit(mine, next[0]!.run, next[0]!.audit), stores[1].commit(theirs, next[1]!.run, next[1]!.audit)]);
      const winners = results.flatMap((r, i) => (r.committed ? [i] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      wins[winner] = wins[winner]! + 1;
      expect(await stores[1 - winner]!.load(id)).toEqual(next[winner]!.run);
    }
    expect(wins[0]! + wins[1]!).toBe(RACES);
    await expectUnbrokenTrail(stores[0], id);
  }, 300_000);

  it(`applies a wait that fires on two instances, and a tool result delivered to both, once each, ${RACES} times`, async () => {
    const [a, b] = services();
    let run: Run | undefined;
    const finished: string[] = [];
    for (let race = 0; race < RACES; race += 1) {
      if (race % RACES_PER_RUN === 0) {
        if (run) finished.push(run.id);
        run = await a.start({ runbook: 'Cycle', actor: agent });
      }
      const id = run!.id;
      const wait = run!.wait!;
      const job = { runId: id, stepId: wait.step_id, visit: wait.visit, kind: wait.kind, dueAt: wait.due_at };
      const fired = await Promise.all([fireWait(a, job, `wait-${race}`), fireWait(b, job, `wait-${race}`)]);
      expect(fired.filter((o) => o === 'applied'), `wait race ${race}: ${fired.join(', ')}`).toHaveLength(1);

      const probing = await stores[race % 2]!.load(id);
      const probe = probing.steps.find((s) => s.step_id === probing.current_step_id)!;
      expect(probe.tool_running, `race ${race}`).toBe(true);
      const result = { runId: id, stepId: probe.step_id, visit: probe.visit, try: 1, ok: true, output: { n: race }, error: null, callId: `call-${race}`, source: 'runner' as const, deviceId: 'd' };
      const applied = await Promise.all([applyToolResult(a, result), applyToolResult(b, result)]);
      expect(applied.filter((o) => o === 'applied'), `tool race ${race}: ${applied.join(', ')}`).toHaveLength(1);

      run = await loopBack(race % 2 === 0 ? a : b, id);
    }
    for (const id of [...finished, run!.id]) {
      const trail = await stores[1].audit(id);
      expect(trail.filter((e) => e.command === 'wait_elapsed')).toHaveLength(RACES_PER_RUN);
      expect(trail.filter((e) => e.command === 'tool_result')).toHaveLength(RACES_PER_RUN);
      await expectUnbrokenTrail(stores[1], id);
    }
  }, 300_000);

  it('keeps one unbroken history when three instances drive one run at once', async () => {
    const [a, b] = services();
    const c = createRunService({ runs: stores[1], runbooks: runbooks[1] });
    const { id } = await a.start({ runbook: 'Cycle', actor: agent });
    const commands: Command['type'][] = ['pause', 'resume', 'pause', 'resume', 'cancel'];
    let applied = 0;
    for (let round = 0; round < 200; round += 1) {
      const picks = [a, b, c].map((s, i) => ({ s, type: commands[(round + i) % 4]! }));
      const outcomes = await Promise.allSettled(picks.map(({ s, type }) => s.apply(id, { type, actor: agent } as Command)));
      applied += outcomes.filter((o) => o.status === 'fulfilled' && !o.value.duplicate).length;
    }
    const trail = await stores[0].audit(id);
    expect(trail).toHaveLength(applied + 1); // and the start
    await expectUnbrokenTrail(stores[0], id);
    expect((await stores[1].load(id)).status).toBe(trail.at(-1)!.to_status);
  }, 300_000);
});
