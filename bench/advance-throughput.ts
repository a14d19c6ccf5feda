// Persisted advances per second through the run service, against raw conditional
// single-document updates of the same run documents on the same server in the same run.
import { startRun, type Actor, type Command, type Run, type RunbookSnapshot } from '../src/engine/index.js';
import { newId } from '../src/ids.js';
import { auditToDocs, toRunDoc } from '../src/models/run-codec.js';
import { runEventModel } from '../src/models/run-event-model.js';
import { runModel } from '../src/models/run-model.js';
import { createRunStore } from '../src/models/run-store.js';
import { createRunService } from '../src/services/run-service.js';
import { benchBackends, loadAverage, openBenchEnv, publishBenchRunbook, rawCommitUpdate, table, writeRunDocuments, type Backend, type BenchEnv } from './support.js';

const actor: Actor = { kind: 'agent', id: 'bench' };
// A two-step loop, so a run can be advanced many times without ending.
const LOOP = {
  name: 'Loop',
  steps: [
    { label: 'Work', ref: 'work', instruction: 'Do the work for this iteration.' },
    { label: 'Check', ref: 'check', type: 'check', next_on_outcome: { again: 'step:work', done: null } },
  ],
};
/** Runs already in the collection, as on a server that has been in use for a while. */
const EXISTING_RUNS = 500;
/** Each lane advances a run this many times, then starts another (runbooks are tens of steps). */
const RUN_LENGTH = 50;

async function prefill(env: BenchEnv, loop: RunbookSnapshot): Promise<void> {
  const docs = Array.from({ length: EXISTING_RUNS }, () => {
    const r = startRun({ id: newId('run'), runbook: loop, variables: {}, started_by: actor }, { now: Date.now(), ids: () => newId('rrs') });
    if (!r.ok) throw new Error('prefill failed');
    return toRunDoc(r.run);
  });
  await runModel(env.conn).collection.insertMany(docs as never[]);
}

async function serviceAdvances(env: BenchEnv, loop: RunbookSnapshot, lanes: number, perLane: number): Promise<{ rate: number; runIds: string[] }> {
  const service = createRunService({ runs: createRunStore(env.conn), runbooks: { snapshotForRun: async () => loop } });
  const runIds: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let id = '';
      for (let i = 0; i < perLane; i += 1) {
        if (i % RUN_LENGTH === 0) {
          id = (await service.start({ runbook: 'Loop', actor })).id;
          runIds.push(id);
        }
        const outcome = i % 2 === 1 ? 'again' : undefined;
        await service.apply(id, { type: 'advance', actor, key: `b-${lane}-${i}`, ...(outcome ? { outcome } : {}) });
      }
    }),
  );
  return { rate: (lanes * perLane) / ((performance.now() - started) / 1000), runIds };
}

/** Advances `run` on its loop: "again" on the check, plain Done on the work step. */
export function loopAdvance(run: Run): Command {
  const step = run.runbook.steps.find((s) => s.id === run.current_step_id);
  return { type: 'advance', actor, ...(step?.type === 'check' ? { outcome: 'again' } : {}) };
}

/**
 * The same number of the store's raw writes straight to the driver, one lane per run just
 * advanced: the conditional update of the run document (rawCommitUpdate), and with
 * `withEvent` also the audit event insert before it, i.e. the two writes a commit makes.
 */
async function rawUpdates(env: BenchEnv, runIds: string[], lanes: number, perLane: number, withEvent: boolean): Promise<number> {
  const runs = runModel(env.conn).collection;
  const events = runEventModel(env.conn).collection;
  const store = createRunStore(env.conn);
  const states = await Promise.all(Array.from({ length: lanes }, (_, lane) => store.load(runIds[lane % runIds.length] ?? '')));
  await writeRunDocuments(env.conn, states);
  const started = performance.now();
  await Promise.all(
    states.map(async (initial) => {
      let run = initial;
      for (let i = 0; i < perLane; i += 1) {
        const { filter, update, after, patch, audit } = rawCommitUpdate(run, loopAdvance(run), Date.now());
        // The event the commit would insert, under a seq of its own (negative) so the store never reads it as the run's.
        if (withEvent) await events.insertOne({ ...auditToDocs([audit])[0], _id: `${run.id}--${audit.seq}`, run_id: run.id, seq: -audit.seq, patch } as never);
        const r = await runs.updateOne(filter as never, update);
        if (r.matchedCount !== 1) throw new Error('raw update lost its document');
        run = after;
      }
    }),
  );
  return (lanes * perLane) / ((performance.now() - started) / 1000);
}

async function onBackend(backend: Backend): Promise<string> {
  const env = await openBenchEnv(backend);
  try {
    const loop = await publishBenchRunbook(env.conn, LOOP);
    await prefill(env, loop);
    await serviceAdvances(env, loop, 1, 20); // warm-up: connections, JIT, caches
    const rows: (string | number)[][] = [];
    const plan = [[1, 300], [8, 60]];
    for (const [lanes = 1, perLane = 1] of plan) {
      const service = await serviceAdvances(env, loop, lanes, perLane);
      const raw = await rawUpdates(env, service.runIds, lanes, perLane, false);
      const rawCommits = await rawUpdates(env, service.runIds, lanes, perLane, true);
      rows.push([lanes, lanes * perLane, raw.toFixed(0), rawCommits.toFixed(0), service.rate.toFixed(0), (service.rate / raw).toFixed(2), (service.rate / rawCommits).toFixed(2)]);
    }
    return [
      `${env.server}, ${EXISTING_RUNS}+ runs in the collection; load average ${loadAverage()}; ${new Date().toISOString().slice(0, 10)}`,
      table(['parallel runs', 'ops', 'raw updates/s', 'raw event insert + update/s', 'service advances/s', 'ratio to raw updates (goal ≥ 0.6)', 'ratio to raw insert + update'], rows),
    ].join('\n');
  } finally {
    await env.close();
  }
}

export async function benchAdvances(): Promise<string> {
  const parts = ['Persisted advances through the run service vs raw conditional updates of the same run documents'];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}
