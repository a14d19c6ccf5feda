// REST API advances per second and their latency, against a bare node:http server and the
// run store's raw conditional update, same server, same run.
//
// The whole app runs (`startApp`, Slack off) with its API on 127.0.0.1; rate limit 1,000,000
// a minute so it never refuses, the API key cache at its default (5 s). An API key with the
// read, run and author scopes publishes a looping runbook (`POST /v1/runbooks`: two action
// steps, the second's `done` routing back to the first) and starts one run per client.
//
// Three measurements, each CLIENTS (50) closed loops (send, await the answer, send again) for
// BENCH_API_SECONDS (default 15 s) after a 3 s warm-up:
// 1. API: `POST /v1/runbooks/runs/:id/advance` with `{"notes":"bench"}`, each client its own
//    run. A client starts a fresh run after RESTART_AFTER advances (the engine fails a run at
//    MAX_STEP_VISITS = 1,000 visits) or after a 4xx answer; those starts are not counted.
//    Every answer but 200 is counted by status.
// 2. Bare: a node:http server on 127.0.0.1 gets the same requests (same path, headers and
//    body); it reads the body, JSON.parses it and answers JSON.stringify of an API answer
//    captured before the warm-up (same size), with no store.
// 3. Raw store: CLIENTS loops in this process doing the smallest conditional update that
//    records an advance, straight through the driver on the app's own connection
//    (`updateOne({_id, audit_seq}, {$set: what the advance changed})`; a commit instead
//    inserts the audit event that claims it and writes the run document on one command in
//    eight), on copies of the runs the API drives, one loop per run. Half of its
//    window comes before the API's and half after (pooled), so drift in the store over the
//    run (table growth, vacuum) does not fall on one side only.
//
// The HTTP client for 1 and 2 is node's fetch (undici, keep-alive, a connection per client)
// on a worker thread with its own event loop, as clients are other machines; the app, the
// bare server and the raw loops run on the main thread. Latency is client-side
// (performance.now() around fetch and reading the body); requests/s count 200 answers (raw:
// matched updates) over the window until the last loop's last answer.
//
// Where the time goes, recorded in the API window: each request's server-side phases (node's
// http.server.request.start / response.finish diagnostics channels and the run service's
// apply, matched by run id; a client has one request in flight); database commands per advance (command monitoring on the
// app's connection, driver-timed); rate-limit hits per advance (the limiter's own counters in
// Redis); event-loop utilisation of both threads and CPU per process (Linux /proc) in every
// window. BENCH_API_CPUPROFILE=PATH also writes the main thread's CPU profile of the API
// window to PATH-BACKEND.cpuprofile and prints its self time by package or source folder.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

import mongoose from 'mongoose';

import { startApp, type App } from '../src/app/create-app.js';
import { createRedis } from '../src/jobs/redis.js';
import { createApiKeyStore } from '../src/models/api-key-store.js';
import { runModel } from '../src/models/run-model.js';
import { createRunStore } from '../src/models/run-store.js';
import { newId } from '../src/ids.js';
import {
  benchBackends,
  coresSince,
  countingLogger,
  CPU_USERS,
  cpuSeconds,
  createCpuProfiler,
  deleteQueueKeys,
  openBenchEnv,
  percentile,
  stopInOrder,
  table,
  timeCommands,
  benchAppConfig,
  rawCommitUpdate,
  type Backend,
  type BenchEnv,
  loadAverage,
} from './support.js';

const CLIENTS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
/** Advances per run before a client starts a fresh one (runs fail past 1,000 step visits). */
const RESTART_AFTER = 990;
const BODY = JSON.stringify({ notes: 'bench' });
const LOOP = {
  name: 'Bench API loop',
  description: 'Two action steps advanced in a loop by the API benchmark.',
  steps: [
    { label: 'Check the service', ref: 'a', instruction: 'Look at the service dashboard and note what you see.' },
    { label: 'Record the result', ref: 'b', instruction: 'Write down the result, then check again.', next_on_outcome: { done: 'step:a' } },
  ],
};

interface Loops {
  /** Latencies of 200 answers (raw: matched updates), ms, sorted. */
  latency: number[];
  perSecond: number;
  /** Answers other than 200, by status (0: no answer); raw: updates that matched nothing. */
  refused: Record<string, number>;
  firstRefusal: string | null;
  restarts: number;
  /** The client thread's event-loop utilisation (NaN: no HTTP client). */
  clientElu: number;
}

interface ClientJob {
  base: string;
  key: string;
  runbookId: string;
  runs: string[];
  advanced: number[];
  ms: number;
  restartAfter: number;
}

// The clients, as plain JS for a worker thread (eval: no TypeScript loader needed there).
const CLIENT_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async (job) => {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer ' + job.key };
  const latency = [];
  const refused = {};
  let firstRefusal = null;
  let restarts = 0;
  const end = performance.now() + job.ms;
  const startRun = async (i) => {
    const res = await fetch(job.base + '/v1/runbooks/' + job.runbookId + '/runs', { method: 'POST', headers, body: '{"variables":{}}' });
    const text = await res.text();
    if (res.status !== 201) throw new Error('start answered ' + res.status + ': ' + text.slice(0, 200));
    job.runs[i] = JSON.parse(text).data.id;
    job.advanced[i] = 0;
    restarts += 1;
  };
  const client = async (i) => {
    while (performance.now() < end) {
      if (job.advanced[i] >= job.restartAfter) await startRun(i);
      const t0 = performance.now();
      let status = 0;
      let text = '';
      try {
        const res = await fetch(job.base + '/v1/runbooks/runs/' + job.runs[i] + '/advance', { method: 'POST', headers, body: ${JSON.stringify(BODY)} });
        text = await res.text();
        status = res.status;
      } catch (error) {
        text = String(error);
      }
      if (status === 200) {
        latency.push(performance.now() - t0);
        job.advanced[i] += 1;
      } else {
        refused[status] = (refused[status] || 0) + 1;
        firstRefusal = firstRefusal || status + ' ' + text.slice(0, 300);
        // A refusal (4xx) may mean the run cannot go on; after a 5xx it is as it was.
        if (status >= 400 && status < 500) job.advanced[i] = job.restartAfter;
      }
    }
  };
  const began = performance.now();
  const elu = performance.eventLoopUtilization();
  try {
    await Promise.all(job.runs.map((_, i) => client(i)));
    const took = (performance.now() - began) / 1000;
    const clientElu = performance.eventLoopUtilization(elu).utilization;
    parentPort.postMessage({ ok: true, loops: { latency, perSecond: latency.length / took, refused, firstRefusal, restarts, clientElu }, runs: job.runs, advanced: job.advanced });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.stack) || error) });
  }
});
`;

function startClients() {
  const worker = new Worker(CLIENT_SOURCE, { eval: true });
  return {
    /** Runs the loops for job.ms; the job's runs and advance counts are updated for the next call. */
    run(job: ClientJob): Promise<Loops> {
      return new Promise((resolve, reject) => {
        worker.once('message', (m: { ok: true; loops: Loops; runs: string[]; advanced: number[] } | { ok: false; error: string }) => {
          if (!m.ok) return reject(new Error(`clients: ${m.error}`));
          job.runs = m.runs;
          job.advanced = m.advanced;
          resolve({ ...m.loops, latency: sorted(m.loops.latency) });
        });
        worker.postMessage(job);
      });
    },
    stop: () => worker.terminate(),
  };
}

/** The bare server: reads the body, parses it, answers `answer` as JSON. */
async function startBareServer(answer: unknown) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type ServerEvent = (event: 'read' | 'written', url: string, port: number, at: number) => void;

/** Each request's server-side time (read → answer written) by the server's port, and a hook on both moments. */
function watchServers() {
  const started = new WeakMap<object, number>();
  const times = new Map<number, number[]>();
  let listener: ServerEvent = () => {};
  const onStart = (m: unknown) => {
    const { request, response, socket } = m as { request: IncomingMessage; response: ServerResponse; socket: Socket };
    started.set(response, performance.now());
    listener('read', request.url ?? '', socket.localPort ?? 0, performance.now());
  };
  const onFinish = (m: unknown) => {
    const { request, response, socket } = m as { request: IncomingMessage; response: ServerResponse; socket: Socket };
    const at = performance.now();
    const t0 = started.get(response);
    if (t0 === undefined) return;
    const port = socket.localPort ?? 0;
    const list = times.get(port) ?? [];
    list.push(at - t0);
    times.set(port, list);
    listener('written', request.url ?? '', port, at);
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    listen: (fn: ServerEvent) => void (listener = fn),
    /** The times of the server on `port` since the last take or clear, sorted. */
    take(port: number): number[] {
      const list = sorted(times.get(port) ?? []);
      times.clear();
      return list;
    },
    clear: () => times.clear(),
    stop() {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/**
 * What one API advance costs the app, from the inside: its database commands, and per
 * request the time before its apply, the apply (claim, run document write) and after.
 */
function instrument(app: App, servers: ReturnType<typeof watchServers>) {
  let on = false;
  const parts = { before: [] as number[], apply: [] as number[], after: [] as number[] };
  const readAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  const setSizes: number[] = [];
  const commands = timeCommands(app.db.conn.getClient(), () => on, (e) => {
    const command = e.command as Record<string, unknown>;
    const [update] = e.commandName === 'update' && command.update === 'runs' ? (command.updates as { u: { $set?: object } }[]) : [];
    if (update?.u.$set) setSizes.push(mongoose.mongo.BSON.calculateObjectSize(update.u.$set));
  });
  servers.listen((event, url, port, at) => {
    const runId = /\/runs\/([^/]+)\/advance$/.exec(url)?.[1];
    if (!on || port !== app.port || runId === undefined) return;
    if (event === 'read') readAt.set(runId, at);
    const applied = appliedAt.get(runId);
    if (event === 'written' && applied !== undefined) parts.after.push(at - applied);
    appliedAt.delete(runId);
  });
  // The routes call the run service through this same object.
  const service = app.service;
  const apply = service.apply;
  service.apply = async (runId, command) => {
    const t0 = performance.now();
    const read = readAt.get(runId);
    readAt.delete(runId);
    if (on && read !== undefined) parts.before.push(t0 - read);
    try {
      return await apply(runId, command);
    } finally {
      const t1 = performance.now();
      if (on) parts.apply.push(t1 - t0);
      appliedAt.set(runId, t1);
    }
  };
  return {
    parts,
    commands,
    /** The $set of each save of a run in the window, bytes. */
    setSizes,
    set on(value: boolean) {
      on = value;
    },
  };
}

/**
 * CLIENTS loops of the store's raw conditional update (rawCommitUpdate:
 * `updateOne({_id, audit_seq}, {$set: what the advance changed})`), one loop per run, for
 * `durationMs`. They run on copies of the
 * runs the API drives (same size and shape, fresh ids): writing the API's own runs behind
 * the service's back would leave their documents ahead of their events.
 */
async function rawUpdates(app: App, runIds: string[], durationMs: number): Promise<Loops & { setBytes: number }> {
  const runs = runModel(app.db.conn).collection;
  const store = createRunStore(app.db.conn);
  const copies = await Promise.all(
    runIds.map(async (id) => {
      const doc = await runs.findOne({ _id: id as never });
      const copy = { ...doc, _id: newId('run') };
      await runs.insertOne(copy as never);
      return store.load(copy._id as string);
    }),
  );
  const latency: number[] = [];
  const setSizes: number[] = [];
  // Updates that matched nothing or failed, by why.
  const refused: Record<string, number> = {};
  let firstRefusal: string | null = null;
  const end = performance.now() + durationMs;
  const began = performance.now();
  await Promise.all(
    copies.map(async (initial) => {
      let run = initial;
      for (let i = 0; performance.now() < end; i += 1) {
        const t0 = performance.now();
        const { filter, update, after } = rawCommitUpdate(run, { type: 'advance', actor: { kind: 'api', id: 'bench' }, notes: 'bench' }, Date.now());
        if (i < 8) setSizes.push(mongoose.mongo.BSON.calculateObjectSize(update.$set as object));
        const r = await runs.updateOne(filter as never, update).catch((error: unknown) => error as Error);
        if (!(r instanceof Error) && r.matchedCount === 1) {
          latency.push(performance.now() - t0);
          run = after;
          continue;
        }
        const why = r instanceof Error ? `error ${(r as { codeName?: string }).codeName ?? r.name}` : 'no match';
        refused[why] = (refused[why] ?? 0) + 1;
        firstRefusal ??= r instanceof Error ? r.message.slice(0, 300) : `no run ${run.id} at audit_seq ${run.audit_seq}`;
        run = await store.load(run.id);
      }
    }),
  );
  const took = (performance.now() - began) / 1000;
  await runs.deleteMany({ _id: { $in: copies.map((r) => r.id) as never[] } });
  return { latency: sorted(latency), perSecond: latency.length / took, refused, firstRefusal, restarts: 0, clientElu: Number.NaN, setBytes: mean(setSizes) };
}

/** How many requests the rate limiter has counted under `prefix` (its per-minute counters). */
async function limiterCount(redisUrl: string, prefix: string): Promise<Map<string, number>> {
  const redis = createRedis(redisUrl);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:ratelimit:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const values = keys.length === 0 ? [] : await redis.mget(...keys);
    return new Map(keys.map((k, i) => [k, Number(values[i] ?? 0)]));
  } finally {
    redis.disconnect();
  }
}

/** The API key, the published loop runbook, one run per client, and an advance's answer. */
async function setUp(app: App) {
  const { key } = await createApiKeyStore(app.db.conn).create('bench', ['read', 'run', 'author'], { kind: 'cli', id: 'bench' });
  const base = `http://127.0.0.1:${app.port}`;
  const post = async (path: string, body: string, status: number) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    const text = await res.text();
    if (res.status !== status) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as { data: { id: string } };
  };
  const runbookId = (await post('/v1/runbooks', JSON.stringify(LOOP), 201)).data.id;
  const runs: string[] = [];
  for (let i = 0; i < CLIENTS; i += 1) runs.push((await post(`/v1/runbooks/${runbookId}/runs`, '{"variables":{}}', 201)).data.id);
  const answer = await post(`/v1/runbooks/runs/${runs[0]}/advance`, BODY, 200);
  return { key, base, runbookId, runs, answer };
}

interface Window {
  loops: Loops;
  /** Server-side times, sorted (none for raw). */
  server: number[];
  mainElu: number;
  /** Cores used by each of CPU_USERS. */
  cores: number[];
  seconds: number;
}

/** A warm-up of `run`, then the measured run, with the main thread's utilisation and CPU per process. */
interface Around {
  before?(): Promise<void>;
  after?(): Promise<void>;
  /** Default SECONDS. */
  seconds?: number;
  /** Default true: a warm-up of WARMUP_SECONDS first. */
  warmUp?: boolean;
}

/** A warm-up of `run`, then the measured run, with the main thread's utilisation and CPU per process. */
async function measure(run: (ms: number) => Promise<Loops>, servers: ReturnType<typeof watchServers>, port: number, around: Around = {}): Promise<Window> {
  if (around.warmUp !== false) await run(WARMUP_SECONDS * 1000);
  servers.clear();
  await around.before?.();
  const [elu, cpu, t0] = [performance.eventLoopUtilization(), cpuSeconds(), performance.now()];
  const loops = await run((around.seconds ?? SECONDS) * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const cores = coresSince(cpu, seconds);
  const mainElu = performance.eventLoopUtilization(elu).utilization;
  await around.after?.();
  return { loops, server: servers.take(port), mainElu, cores, seconds };
}

/** Two windows of the same loops as one: answers pooled, rates and utilisations weighted by time. */
function pool(x: Window, y: Window): Window {
  const seconds = x.seconds + y.seconds;
  const weigh = (a: number, b: number) => (a * x.seconds + b * y.seconds) / seconds;
  const latency = sorted([...x.loops.latency, ...y.loops.latency]);
  const refused = { ...x.loops.refused };
  for (const [k, n] of Object.entries(y.loops.refused)) refused[k] = (refused[k] ?? 0) + n;
  return {
    loops: { ...x.loops, latency, perSecond: latency.length / seconds, refused, firstRefusal: x.loops.firstRefusal ?? y.loops.firstRefusal },
    server: sorted([...x.server, ...y.server]),
    mainElu: weigh(x.mainElu, y.mainElu),
    cores: x.cores.map((c, i) => weigh(c, y.cores[i] ?? Number.NaN)),
    seconds,
  };
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
const pair = (list: number[]) => `${ms(percentile(list, 50))} / ${ms(percentile(list, 99))}`;
const mean = (list: number[]) => (list.length === 0 ? Number.NaN : list.reduce((a, b) => a + b, 0) / list.length);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const refusals = (r: Record<string, number>) => Object.entries(r).map(([s, n]) => `${n}× ${s === '0' ? 'no answer' : s}`).join(', ') || '0';

interface Measured {
  env: BenchEnv;
  api: Window;
  bare: Window;
  raw: Window & { docBytes: number; setBytes: number };
  /** The raw window's halves, before and after the API's. */
  rawHalves: [Window, Window];
  inside: ReturnType<typeof instrument>;
  limited: number;
  runsAtEnd: number;
}

function report({ env, api, bare, raw, rawHalves, inside, limited, runsAtEnd }: Measured): string[] {
  const [a, b, r] = [api.loops, bare.loops, raw.loops];
  const p99 = (l: number[]) => percentile(l, 99);
  const rateRatio = a.perSecond / r.perSecond;
  const p99Limit = 1.5 * p99(r.latency) + 10;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const row = (what: string, l: Loops) => [what, l.latency.length, l.perSecond.toFixed(0), ms(percentile(l.latency, 50)), ms(p99(l.latency)), refusals(l.refused)];
  const advances = a.latency.length;
  const { parts, commands } = inside;
  const cpuRows = CPU_USERS.map((user, i) => [`cores used: ${user}`, ...[api, bare, raw].map((w) => (w.cores[i] ?? Number.NaN).toFixed(2))]);
  const machine = CPU_USERS.length - 1;
  return [
    `${env.server}; ${cpus().length} cores; ${CLIENTS} clients in closed loops, ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up; client: node fetch (undici, keep-alive) on a worker thread; run documents of ${(raw.docBytes / 1024).toFixed(1)} KB, the $set of a save ${(mean(inside.setSizes) / 1024).toFixed(1)} KB on average (raw: ${(raw.setBytes / 1024).toFixed(1)} KB); times in ms`,
    table(
      ['path', 'requests', 'requests/s', 'p50', 'p99', 'not 200'],
      [row('API: POST /v1/runbooks/runs/:id/advance', a), row('bare node:http, same requests', b), row('raw store: updateOne({_id, audit_seq}, {$set}) of the run', r)],
    ),
    table(
      ['goal', 'measured', 'ratio', 'result'],
      [
        ['API advances/s ≥ 0.8 × raw updates/s', `${a.perSecond.toFixed(0)} vs ${r.perSecond.toFixed(0)}/s`, `${rateRatio.toFixed(2)} (needs ≥ 0.80)`, verdict(rateRatio >= 0.8)],
        [
          'API p99 ≤ 1.5 × raw p99 + 10 ms',
          `${ms(p99(a.latency))} vs limit ${ms(p99Limit)} ms`,
          `${(p99(a.latency) / p99(r.latency)).toFixed(2)} (needs ≤ ${(p99Limit / p99(r.latency)).toFixed(2)})`,
          verdict(p99(a.latency) <= p99Limit),
        ],
      ],
    ),
    'Where the time goes (ms, p50 / p99; main thread: the app, the bare server and the raw loops; client thread: fetch)',
    table(
      ['part', 'API', 'bare node:http', 'raw store'],
      [
        ['client: fetch sent → answer read', pair(a.latency), pair(b.latency), pair(r.latency)],
        ['server: request read → answer written', pair(api.server), pair(bare.server), '-'],
        ['… read → apply called (key, rate limit, body, zod)', pair(sorted(parts.before)), '-', '-'],
        ['… apply (transition, event insert; the run document on 1 in 8)', pair(sorted(parts.apply)), '-', '-'],
        ['… apply returned → answer written', pair(sorted(parts.after)), '-', '-'],
        ['event-loop utilisation: main thread', api.mainElu.toFixed(2), bare.mainElu.toFixed(2), raw.mainElu.toFixed(2)],
        ['event-loop utilisation: client thread', a.clientElu.toFixed(2), b.clientElu.toFixed(2), '-'],
        ...cpuRows,
        ['machine CPU per request (ms)', ...[api, bare, raw].map((w) => ms((1000 * (w.cores[machine] ?? Number.NaN)) / w.loops.perSecond))],
      ],
    ),
    `database commands per API advance (count × mean ms, driver-timed): ${[...commands.entries()]
      .sort((x, y) => y[1][1] - x[1][1])
      .map(([k, [n, total]]) => `${k} ${(n / advances).toFixed(2)} × ${ms(total / n)}`)
      .join(', ')}`,
    `rate-limit hits (one Lua script of INCR + PEXPIRE each) per API advance: ${(limited / advances).toFixed(2)}; no Idempotency-Key sent, so no idempotency reads or writes`,
    `raw store halves, before / after the API window: ${rawHalves.map((h) => `${h.loops.perSecond.toFixed(0)}/s, p50 ${ms(percentile(h.loops.latency, 50))}, p99 ${ms(percentile(h.loops.latency, 99))}`).join(' / ')}`,
    `runs restarted in the measured window (not counted): ${a.restarts}; runs in the collection at the end: ${runsAtEnd}`,
    ...(a.firstRefusal ? [`first API refusal: ${a.firstRefusal}`] : []),
    ...(r.firstRefusal ? [`first raw update refused: ${r.firstRefusal}`] : []),
  ];
}

async function onBackend(backend: Backend): Promise<string> {
  const loadBefore = loadAverage();
  const began = performance.now();
  const env = await openBenchEnv(backend);
  const { logger, counts } = countingLogger();
  const servers = watchServers();
  let app: App | undefined;
  let clients: ReturnType<typeof startClients> | undefined;
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    const config = benchAppConfig(env, { apiRateLimit: 1_000_000 });
    app = await startApp({ config, logger, queuePrefix: env.prefix, builtinPlaybooks: false });
    counts.clear(); // the "Slack is not configured" help printed at start
    const inside = instrument(app, servers);
    const { key, base, runbookId, runs, answer } = await setUp(app);
    const c = (clients = startClients());
    bare = await startBareServer(answer);
    const drive = (job: ClientJob) => (ms: number) => c.run(Object.assign(job, { ms }));
    const job = (url: string, restartAfter: number): ClientJob => ({ base: url, key, runbookId, runs, advanced: runs.map((_, i) => (i === 0 ? 1 : 0)), ms: 0, restartAfter });

    // The bare server never starts runs, so its clients never restart.
    const bareWindow = await measure(drive(job(`http://127.0.0.1:${bare.port}`, Number.POSITIVE_INFINITY)), servers, bare.port);
    // The raw updates, half before the API's window and half after, on the runs the clients
    // hold then, so the store's drift over the run (table growth, vacuum) falls on both.
    let setBytes = Number.NaN;
    const rawOn = (ids: () => string[]) => async (ms: number) => {
      const { setBytes: bytes, ...loops } = await rawUpdates(app as App, ids(), ms);
      setBytes = bytes;
      return loops;
    };
    const rawBefore = await measure(rawOn(() => runs), servers, 0, { seconds: SECONDS / 2 });
    // One job for warm-up and window: a client keeps its run, and its count, throughout.
    const apiJob = job(base, RESTART_AFTER);
    const profilePath = process.env.BENCH_API_CPUPROFILE ? `${process.env.BENCH_API_CPUPROFILE}-${backend}.cpuprofile` : null;
    const profiler = profilePath ? createCpuProfiler() : null;
    let profile: string[] = [];
    const [limitedBefore, limitedAfter] = [new Map<string, number>(), new Map<string, number>()];
    const apiWindow = await measure(drive(apiJob), servers, app.port, {
      async before() {
        for (const [k, n] of await limiterCount(env.redisUrl, env.prefix)) limitedBefore.set(k, n);
        await profiler?.start();
        inside.on = true;
      },
      async after() {
        inside.on = false;
        if (profiler && profilePath) profile = await profiler.stop(profilePath);
        for (const [k, n] of await limiterCount(env.redisUrl, env.prefix)) limitedAfter.set(k, n);
      },
    });
    const limited = [...limitedAfter].reduce((sum, [k, n]) => sum + n - (limitedBefore.get(k) ?? 0), 0);
    const rawAfter = await measure(rawOn(() => apiJob.runs), servers, 0, { seconds: SECONDS / 2, warmUp: false });
    const driven = await runModel(app.db.conn).collection.find({ _id: { $in: apiJob.runs as never[] } }).toArray();
    const docBytes = mean(driven.map((d) => mongoose.mongo.BSON.calculateObjectSize(d)));
    const runsAtEnd = await runModel(app.db.conn).collection.countDocuments({});
    return [
      ...report({ env, api: apiWindow, bare: bareWindow, raw: { ...pool(rawBefore, rawAfter), docBytes, setBytes }, rawHalves: [rawBefore, rawAfter], inside, limited, runsAtEnd }),
      ...(profilePath ? [`main thread CPU profile of the API window (${profilePath}), self time by place: ${profile.slice(0, 14).join(', ')}`] : []),
      `took ${((performance.now() - began) / 1000).toFixed(0)} s with the server's start; load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
      ...(counts.size > 0 ? [`logged by the app: ${[...counts.entries()].map(([msg, n]) => `${n}× ${msg}`).join('; ')}`] : []),
    ].join('\n');
  } finally {
    servers.stop();
    await stopInOrder('api', [
      ['clients', async () => clients?.stop()],
      ['bare server', async () => bare?.close()],
      ['app', async () => app?.stop()],
      ['queue keys', () => deleteQueueKeys(env.redisUrl, env.prefix)],
      ['bench env', () => env.close()],
    ]);
  }
}

export async function benchApi(): Promise<string> {
  const parts = [
    `REST API: ${CLIENTS} clients each advancing its own run in a closed loop, against a bare node:http server (same requests, same client) and the run store's raw conditional update of the same run documents, same server, same run`,
  ];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}
