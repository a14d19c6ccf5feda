// What one advance costs as history piles up: p50/p99 of an advance through the run service
// with 100, 10,000 and 100,000 runs (and five audit events each) already stored, measured in
// one process against one server. Two paths per size:
// - cached: the service wrote the run last (one process driving its runs): the claim (the
//   event insert), and on one command in eight the run document;
// - cold: a fresh service, as after a restart or on another instance: read (the document and
//   the events it lags by), then the same.
// The raw column is the store's conditional update of the run document alone
// (rawCommitUpdate), on the same runs, for scale. Goal (the embedded store's issue): the
// 100,000 row within 1.5 × the 100 row.
import { startRun, type Actor, type Run, type RunbookSnapshot } from '../src/engine/index.js';
import { newId } from '../src/ids.js';
import { auditToDocs, toRunDoc } from '../src/models/run-codec.js';
import { runEventModel } from '../src/models/run-event-model.js';
import { runModel } from '../src/models/run-model.js';
import { createRunStore } from '../src/models/run-store.js';
import { createRunService } from '../src/services/run-service.js';
import { loopAdvance } from './advance-throughput.js';
import { benchBackends, loadAverage, openBenchEnv, percentile, publishBenchRunbook, rawCommitUpdate, table, writeRunDocuments, type Backend, type BenchEnv } from './support.js';

const actor: Actor = { kind: 'agent', id: 'bench' };
const LOOP = {
  name: 'History loop',
  steps: [
    { label: 'Work', ref: 'work', instruction: 'Do the work for this iteration.' },
    { label: 'Check', ref: 'check', type: 'check', next_on_outcome: { again: 'step:work', done: null } },
  ],
};
const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '100,10000,100000').split(',').map(Number);
/** Advances measured per path and size. */
const SAMPLES = Number(process.env.BENCH_HISTORY_SAMPLES ?? 200);
const EVENTS_PER_RUN = 5;
const BATCH = 1000;
/** Runs the samples go round, fresh at each size so none nears the engine's visit limit. */
const LIVE_RUNS = 20;

/** Grows the collections from `from` to `size` finished runs of the loop, each with its trail. */
async function fillTo(env: BenchEnv, loop: RunbookSnapshot, from: number, size: number): Promise<void> {
  const runsCollection = runModel(env.conn).collection;
  const eventsCollection = runEventModel(env.conn).collection;
  const entry = { at: Date.now(), actor, source: null, command: 'advance', key: null, step_id: null, visit: null, outcome: null, notes: null, from_status: 'running', to_status: 'running' } as const;
  for (let n = from; n < size; n += BATCH) {
    const runs: Run[] = [];
    for (let i = n; i < Math.min(size, n + BATCH); i += 1) {
      const r = startRun({ id: newId('run'), runbook: loop, variables: {}, started_by: actor }, { now: Date.now(), ids: () => newId('rrs') });
      if (!r.ok) throw new Error(r.error.message);
      runs.push({ ...r.run, status: 'completed', audit_seq: EVENTS_PER_RUN });
    }
    await runsCollection.insertMany(runs.map((r) => toRunDoc(r)) as never[]);
    const trail = auditToDocs(Array.from({ length: EVENTS_PER_RUN }, (_, k) => ({ ...entry, seq: k + 1 })));
    await eventsCollection.insertMany(runs.flatMap((r) => trail.map((e) => ({ ...e, _id: `${r.id}-${e.seq as number}`, run_id: r.id }))) as never[]);
  }
}

const ms = (sorted: number[]) => `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)}`;

async function timed(count: number, one: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = performance.now();
    await one(i);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

async function atSize(env: BenchEnv, loop: RunbookSnapshot): Promise<{ cached: number[]; cold: number[]; raw: number[] }> {
  const lookup = { snapshotForRun: async () => loop };
  const service = createRunService({ runs: createRunStore(env.conn), runbooks: lookup });
  const ids: string[] = [];
  for (let i = 0; i < LIVE_RUNS; i += 1) ids.push((await service.start({ runbook: 'History loop', actor })).id);
  const pick = (i: number) => ids[i % ids.length] ?? '';
  // The state each run is in, so choosing an advance's outcome reads nothing inside the timing.
  const states = new Map<string, Run>();
  for (const id of ids) states.set(id, (await service.apply(id, loopAdvance(await service.get(id)))).run);
  const cached = await timed(SAMPLES, async (i) => {
    const id = pick(i);
    states.set(id, (await service.apply(id, loopAdvance(states.get(id)!))).run);
  });
  const cold = await timed(SAMPLES, async (i) => {
    const id = pick(i);
    const fresh = createRunService({ runs: createRunStore(env.conn), runbooks: lookup });
    states.set(id, (await fresh.apply(id, loopAdvance(states.get(id)!))).run);
  });
  const runsCollection = runModel(env.conn).collection;
  await writeRunDocuments(env.conn, [...states.values()]);
  const raw = await timed(SAMPLES, async (i) => {
    const run = states.get(pick(i))!;
    const { filter, update, after } = rawCommitUpdate(run, loopAdvance(run), Date.now());
    if ((await runsCollection.updateOne(filter as never, update)).matchedCount !== 1) throw new Error('raw update lost its run');
    states.set(run.id, after);
  });
  return { cached, cold, raw };
}

async function onBackend(backend: Backend): Promise<string> {
  const env = await openBenchEnv(backend);
  try {
    const loop = await publishBenchRunbook(env.conn, LOOP);
    const rows: (string | number)[][] = [];
    const p99s: number[] = [];
    const loadBefore = loadAverage();
    let stored = 0;
    for (const size of SIZES) {
      await fillTo(env, loop, stored, size);
      stored = size;
      const { cached, cold, raw } = await atSize(env, loop);
      p99s.push(percentile(cached, 99));
      rows.push([size.toLocaleString('en-US'), (size * EVENTS_PER_RUN).toLocaleString('en-US'), ms(cached), ms(cold), ms(raw)]);
    }
    const ratio = (p99s.at(-1) ?? Number.NaN) / (p99s[0] ?? Number.NaN);
    return [
      `${env.server}; ${SAMPLES} advances per path and size, one at a time; load average ${loadBefore} before, ${loadAverage()} after; ${new Date().toISOString().slice(0, 10)}; times in ms, p50 / p99`,
      table(['runs stored', 'events stored', 'advance (state cached)', 'advance (fresh process: read first)', 'raw conditional update'], rows),
      `advance p99 (state cached) at ${SIZES.at(-1)?.toLocaleString('en-US')} runs vs ${SIZES[0]?.toLocaleString('en-US')}: ${ratio.toFixed(2)} × (goal ≤ 1.5): ${ratio <= 1.5 ? 'PASS' : 'FAIL'}`,
    ].join('\n');
  } finally {
    await env.close();
  }
}

export async function benchHistory(): Promise<string> {
  const parts = ['One advance against the size of history (runs and audit events already stored)'];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}
