// Persisted advances per second through the run service, against raw conditional
// single-document updates of the same run documents on the same server in the same run.
import { startRun, type Actor } from '../src/engine/index.js';
import { newId } from '../src/ids.js';
import { toRunDoc } from '../src/models/run-codec.js';
import { runModel } from '../src/models/run-model.js';
import { createRunStore } from '../src/models/run-store.js';
import { createRunService } from '../src/services/run-service.js';
import { compileSnapshot } from '../test/support/snapshots.js';
import { benchBackends, openBenchEnv, table, type Backend, type BenchEnv } from './support.js';

const actor: Actor = { kind: 'agent', id: 'bench' };
// A two-step loop, so a run can be advanced many times without ending.
const loop = compileSnapshot({
  name: 'Loop',
  steps: [
    { label: 'Work', ref: 'work', instruction: 'Do the work for this iteration.' },
    { label: 'Check', ref: 'check', type: 'check', next_on_outcome: { again: 'step:work', done: null } },
  ],
});
/** Runs already in the collection, as on a server that has been in use for a while. */
const EXISTING_RUNS = 500;
/** Each lane advances a run this many times, then starts another (runbooks are tens of steps). */
const RUN_LENGTH = 50;

async function prefill(env: BenchEnv): Promise<void> {
  const docs = Array.from({ length: EXISTING_RUNS }, () => {
    const r = startRun({ id: newId('run'), runbook: loop, variables: {}, started_by: actor }, { now: Date.now(), ids: () => newId('rrs') });
    if (!r.ok) throw new Error('prefill failed');
    return toRunDoc(r.run, 1);
  });
  await runModel(env.conn).collection.insertMany(docs as never[]);
}

async function serviceAdvances(env: BenchEnv, lanes: number, perLane: number): Promise<{ rate: number; runIds: string[] }> {
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

/** The same number of conditional updates, straight to the driver, on the runs just advanced. */
async function rawUpdates(env: BenchEnv, runIds: string[], lanes: number, perLane: number): Promise<number> {
  const runs = runModel(env.conn).collection;
  const revs = new Map((await runs.find({ _id: { $in: runIds as never[] } }, { projection: { rev: 1 } }).toArray()).map((d) => [String(d._id), d.rev as number]));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; i < perLane; i += 1) {
        const id = runIds[(lane + i * lanes) % runIds.length] ?? '';
        const rev = revs.get(id) ?? 0;
        revs.set(id, rev + 1);
        const r = await runs.updateOne({ _id: id as never, rev }, { $set: { rev: rev + 1, status: 'running', updated_at: new Date() } });
        if (r.matchedCount !== 1) throw new Error('raw update lost its document');
      }
    }),
  );
  return (lanes * perLane) / ((performance.now() - started) / 1000);
}

async function onBackend(backend: Backend): Promise<string> {
  const env = await openBenchEnv(backend);
  try {
    await prefill(env);
    await serviceAdvances(env, 1, 20); // warm-up: connections, JIT, caches
    const rows: (string | number)[][] = [];
    // FerretDB's SQLite backend rewrites in O(collection) per update: fewer ops keep it short.
    const plan = backend === 'sqlite' ? [[1, 100], [8, 20]] : [[1, 300], [8, 60]];
    for (const [lanes = 1, perLane = 1] of plan) {
      const service = await serviceAdvances(env, lanes, perLane);
      const raw = await rawUpdates(env, service.runIds, lanes, perLane);
      rows.push([lanes, lanes * perLane, raw.toFixed(0), service.rate.toFixed(0), (service.rate / raw).toFixed(2)]);
    }
    return [`${env.server}, ${EXISTING_RUNS}+ runs in the collection`, table(['parallel runs', 'ops', 'raw updates/s', 'service advances/s', 'ratio'], rows)].join('\n');
  } finally {
    await env.close();
  }
}

export async function benchAdvances(): Promise<string> {
  const parts = ['Persisted advances through the run service vs raw conditional updates of the same run documents'];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}
