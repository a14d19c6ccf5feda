// How late a wait step lets its run continue: step completed_at minus due_at, for 1,000 and
// 10,000 waits pending at once, with due times spread evenly over a window.
import { startRun, type Actor, type Run } from '../src/engine/index.js';
import { newId } from '../src/ids.js';
import { createRedis } from '../src/jobs/redis.js';
import { waitJobId, createWaitScheduler } from '../src/jobs/wait-queue.js';
import { createWaitWorker } from '../src/jobs/wait-worker.js';
import { toRunDoc } from '../src/models/run-codec.js';
import { runModel } from '../src/models/run-model.js';
import { createRunStore } from '../src/models/run-store.js';
import { createRunService } from '../src/services/run-service.js';
import { deleteKeysUnder } from '../test/support/redis.js';
import { loadAverage, rawUpdateLatencies, benchBackends, openBenchEnv, publishBenchRunbook, percentile, table, type Backend, type BenchEnv } from './support.js';

const actor: Actor = { kind: 'system', id: 'bench' };
const WAIT = { name: 'Wait', steps: [{ label: 'Settle', type: 'wait', wait_seconds: 1 }, { label: 'After' }] };

interface LatenessRow {
  /** p99 of the store's raw conditional update at the worker concurrency, same run. */
  rawP99: number;
  path: 'cold' | 'warm';
  waits: number;
  windowS: number;
  timerP50: number;
  timerP99: number;
  p50: number;
  p99: number;
  max: number;
  drainS: number;
  failed: number;
  /** Errors that made a job retry, with counts. */
  retried: string;
}

/**
 * `cold`: runs written straight to the database, as after a restart: each fired wait reads
 * its run, then writes it. `warm`: runs started through the service, as the service does it:
 * the process that scheduled a wait still holds the run, so firing it is one write.
 */
async function measure(env: BenchEnv, count: number, windowMs: number, leadMs: number, concurrency: number, path: 'cold' | 'warm'): Promise<LatenessRow> {
  const prefix = `${env.prefix}-${count}-${path}`;
  const snapshot = await publishBenchRunbook(env.conn, WAIT);
  const runs = createRunStore(env.conn);
  let startingAt: number | null = null;
  const service = createRunService({ runs, runbooks: { snapshotForRun: async () => snapshot }, clock: () => startingAt ?? Date.now() });
  const scheduler = createWaitScheduler({ connection: createRedis(env.redisUrl), prefix });
  const start = Date.now() + leadMs;
  const built: Run[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = start + Math.floor((i * windowMs) / count);
    // Started as if one second before its due time, so its 1 s wait falls due at `due`.
    if (path === 'warm') {
      startingAt = due - 1000;
      built.push(await service.start({ runbook: 'Wait', actor }));
      continue;
    }
    const result = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: actor }, { now: due - 1000, ids: () => newId('rrs') });
    if (!result.ok) throw new Error(result.error.message);
    built.push(result.run);
  }
  startingAt = null;
  const Runs = runModel(env.conn);
  for (let i = 0; path === 'cold' && i < built.length; i += 1000) {
    await Runs.collection.insertMany(built.slice(i, i + 1000).map((r) => toRunDoc(r)) as never[]);
  }
  for (let i = 0; i < built.length; i += 1000) {
    await scheduler.queue.addBulk(
      built.slice(i, i + 1000).map((r) => {
        const wait = r.wait!;
        return {
          name: 'wait',
          data: { runId: r.id, stepId: wait.step_id, visit: wait.visit, kind: wait.kind, dueAt: wait.due_at },
          opts: { jobId: waitJobId(r.id, wait), delay: Math.max(0, wait.due_at - Date.now()) },
        };
      }),
    );
  }
  if (Date.now() > start) throw new Error(`set-up took longer than the ${leadMs} ms lead; raise it`);
  const connection = createRedis(env.redisUrl, { forWorker: true });
  const timerLate: number[] = [];
  const worker = createWaitWorker({ connection, prefix, service, concurrency, onFired: (f) => timerLate.push(f.timerLateMs) });
  // Counted in-process: polling the database would load the very server being measured.
  let done = 0;
  worker.on('completed', () => (done += 1));
  const ids = built.map((r) => r.id);
  const deadline = start + windowMs + 600_000;
  // A job that used up its attempts is dropped (the reconciler would fire it later in the
  // service); here it counts as done but failed, and the table says how many.
  let failed = 0;
  const errors = new Map<string, number>();
  worker.on('failed', (job, error) => {
    const key = error.message.replace(/^.*\] /, '').slice(0, 80);
    errors.set(key, (errors.get(key) ?? 0) + 1);
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) failed += 1;
  });
  while (done + failed < count) {
    if (Date.now() > deadline) throw new Error(`waits did not drain in time (${done}/${count}, ${failed} failed)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainS = (Date.now() - start) / 1000;
  await worker.close();
  connection.disconnect();
  await deleteKeysUnder(scheduler.queue.opts.connection as never, prefix).catch(() => 0);
  await scheduler.close();
  const due = new Map(built.map((r) => [r.id, r.wait!.due_at]));
  const lateness: number[] = [];
  for (const doc of await Runs.find({ _id: { $in: ids } }, { steps: 1 }).lean<{ _id: string; steps: { completed_at: Date | null }[] }[]>()) {
    const completedAt = doc.steps[0]?.completed_at;
    if (completedAt) lateness.push(completedAt.getTime() - due.get(doc._id)!);
  }
  lateness.sort((a, b) => a - b);
  timerLate.sort((a, b) => a - b);
  await Runs.deleteMany({ _id: { $in: ids } });
  // The store's own conditional update at the workers' concurrency, right after: the bar is
  // relative to it when the store is slower than 50 ms.
  const raw = await rawUpdateLatencies(env.conn, snapshot, concurrency, 10);
  return {
    rawP99: percentile(raw, 99),
    path,
    waits: count,
    windowS: windowMs / 1000,
    timerP50: percentile(timerLate, 50),
    timerP99: percentile(timerLate, 99),
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    max: lateness.at(-1) ?? NaN,
    drainS,
    failed,
    retried: [...errors.entries()].map(([message, n]) => `${n}× ${message}`).join('; '),
  };
}

async function onBackend(backend: Backend, concurrency: number): Promise<string> {
  const env = await openBenchEnv(backend);
  try {
    // [waits, window over which they fall due, lead before the first is due (time to set them up), path]
    const small = process.env.BENCH_WAIT_SMALL !== undefined;
    const plan: [number, number, number, 'cold' | 'warm'][] = small
      ? [[200, 3_000, 3_000, 'cold'], [200, 3_000, 5_000, 'warm']]
      : [[1_000, 10_000, 5_000, 'cold'], [1_000, 10_000, 20_000, 'warm'], [10_000, 120_000, 25_000, 'cold'], [10_000, 120_000, 150_000, 'warm']];
    // Warm-up, not reported: the first measurement otherwise also pays for this process's JIT
    // and the server's first queries.
    await measure(env, 100, 2_000, 3_000, concurrency, 'cold');
    const rows: LatenessRow[] = [];
    for (const [count, windowMs, leadMs, path] of plan) rows.push(await measure(env, count, windowMs, leadMs, concurrency, path));
    return [
      `${env.server}, worker concurrency ${concurrency}; load average ${loadAverage()} at the end; ${new Date().toISOString().slice(0, 10)}. Bar: continued p99 ≤ 100 ms, or ≤ the raw update p99 + 50 ms`,
      table(
        ['path', 'waits pending', 'due over (s)', 'timer p50 ms', 'timer p99 ms', 'continued p50 ms', 'continued p99 ms', 'max ms', 'all done after (s)', 'failed', 'raw update p99 ms', 'bar met?'],
        rows.map((r) => [r.path, r.waits, r.windowS, r.timerP50, r.timerP99, r.p50, r.p99, r.max, r.drainS.toFixed(1), r.failed, r.rawP99.toFixed(1), r.p99 <= Math.max(100, r.rawP99 + 50) ? 'yes' : 'NO']),
      ),
      ...rows.filter((r) => r.retried).map((r) => `errors that made jobs retry (${r.waits} waits): ${r.retried}`),
    ].join('\n');
  } finally {
    await env.close();
  }
}

export async function benchWaits(): Promise<string> {
  const concurrency = Number(process.env.BENCH_WAIT_CONCURRENCY ?? 50);
  const parts = ['Wait lateness: how late a wait step lets its run continue (step completed_at − due_at)'];
  for (const backend of benchBackends()) parts.push(await onBackend(backend, concurrency));
  return parts.join('\n\n');
}
