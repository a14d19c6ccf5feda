// Tool-call round trip of the whole bot (startApp, Slack off: the run service, the database,
// BullMQ, the tool dispatcher and the tool-result worker) with R device runners started in
// this process (startRunner, each its own device id and its own two Redis connections; the
// database connection is the app's, as in test/runner/tool-calls.test.ts), R = 1 and 20.
// The runners offer one extra tool, `echo`, loaded from a temporary .mjs module through
// custom_tools: it checks its input with zod and returns it, so a call costs the machinery
// and nothing else. The runbook is agentic: 40 `diagnose` steps of `echo`, deviceId
// required.
//
// C = R runs are in flight at once, one per device (lane); a lane starts a new run when
// its run completes. One call's round trip is the time between two consecutive tool results
// of one run being applied: the moment the app's tool-result worker's `service.apply` of
// step k's result returned, until the same for step k + 1 (app.service.apply is wrapped
// after start; the worker calls it through the same object). In between, exactly once
// each: the runner picks up call k + 1 (dispatched inside apply k, right after its save),
// creates its call's file in the device's journal, runs echo, replaces the file, signs and adds the result
// job; the bot's worker picks the result up, applies it (per-run lock, transition, the
// conditional save of the run, call k + 2 dispatched: a delayed timeout job and the call
// job, then the audit outbox copied to run_events once 8 entries wait) — so a run's step
// period, which is what a user sees per tool step. A run's first step has no previous
// result and is not a sample; timings are in-process (performance.now()). Each sample also
// gets the parts of it timed here (the apply; the runner's journal calls and the tool,
// through the journal and registry handed to startRunner); the rest of it is BullMQ.
// The parts can overlap: the runner may start call k + 1 while apply k still copies audit
// entries. The app's database connection has command monitoring on (monitorCommands=true in
// its URI): the commands that ended in the measured window are counted and driver-timed.
// Samples per configuration: BENCH_TOOL_CALLS, default 400.
//
// Baseline, same run, same Redis, same queue names under a prefix of the same scheme, same
// connections per side, worker concurrencies and job options: R call queues, each with a
// Worker (concurrency 4, as a runner) that adds a result job to a results queue; one Worker
// on it (concurrency 20, as the bot's) records the time and adds the lane's next call; C = R
// chains in flight. Its round trip is measured the same way, between consecutive results of
// one chain. Throughput, both sides: results applied (recorded) per second, warm-up excluded.
//
// Each side of each R gets its own prefix, and the tool side its own app and an empty
// runs / run_events collection and journal folder; what is still in flight when enough samples
// were taken is cancelled, then everything is stopped and the prefix's keys deleted.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { startApp, type App } from '../src/app/create-app.js';
import { parseDefinition } from '../src/engine/definition/index.js';
import type { Actor } from '../src/engine/index.js';
import { createRedis } from '../src/jobs/redis.js';
import { CALL_JOB_OPTIONS, RESULT_JOB_OPTIONS, TOOL_RESULTS_QUEUE, resultJobId, toolCallId, toolQueueName, type ToolCallJob, type ToolResultJob } from '../src/jobs/tool-queue.js';
import { createDeviceCredentialStore, enrollInProcess } from '../src/models/device-credential-store.js';
import { createCallJournal, type CallJournal } from '../src/runner/call-journal.js';
import { parseRunnerConfig } from '../src/runner/runner-config.js';
import { startRunner, type Runner } from '../src/runner/runner.js';
import { createToolRegistry, type ToolRegistry } from '../src/runner/tool-registry.js';
import { benchBackends, countingLogger, deleteQueueKeys, openBenchEnv, percentile, stopInOrder, table, timeCommands, benchAppConfig, type Backend, type BenchEnv, loadAverage } from './support.js';

const STEPS = 40;
const RUNNERS = [1, 20];
/** Measured calls per configuration, after WARMUP calls. */
const CALLS = Number(process.env.BENCH_TOOL_CALLS ?? 400);
const WARMUP = 40;
/** As startRunner's defaults and the app's tool-result worker. */
const RUNNER_CONCURRENCY = 4;
const RESULT_CONCURRENCY = 20;
const STALLED_CHECK_MS = 30_000;
/** No sample for this long: the bench gives up and says where it stood. */
const STALL_MS = 60_000;
const RUNBOOK = 'Bench tool calls';
const actor: Actor = { kind: 'system', id: 'bench' };

/** Round trips between consecutive results of one chain (a run, or a baseline lane), warm-up first. */
function createSampler(wanted: number) {
  const last = new Map<string, number>();
  const samples: number[] = [];
  let seen = 0;
  let applied = 0;
  let windowStart = 0;
  let windowEnd = 0;
  let lastProgress = performance.now();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    samples,
    done,
    /** A chain's result at `at`; true when the time since its previous result is a sample. */
    result(chain: string, at: number): boolean {
      lastProgress = at;
      const previous = last.get(chain);
      last.set(chain, at);
      if (samples.length >= wanted) return false;
      if (seen >= WARMUP) applied += 1;
      if (previous === undefined) return false;
      seen += 1;
      if (seen === WARMUP) windowStart = at;
      if (seen <= WARMUP) return false;
      samples.push(at - previous);
      if (samples.length === wanted) {
        windowEnd = at;
        finish();
      }
      return true;
    },
    forget: (chain: string) => last.delete(chain),
    stalledFor: () => performance.now() - lastProgress,
    /** Between the end of the warm-up and the last sample. */
    inWindow: () => seen >= WARMUP && samples.length < wanted,
    applied: () => applied,
    perSecond: () => applied / ((windowEnd - windowStart) / 1000),
    progress: () => `${Math.max(0, seen - WARMUP)}/${wanted} samples after ${Math.min(seen, WARMUP)}/${WARMUP} warm-up`,
  };
}
type Sampler = ReturnType<typeof createSampler>;

/** Resolves when the sampler has its samples; throws when progress stops for STALL_MS. */
async function sampled(sampler: Sampler, what: string, failure: () => Error | null): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const error = failure();
      if (error) reject(error);
      else if (sampler.stalledFor() > STALL_MS) reject(new Error(`${what}: no result for ${STALL_MS / 1000} s (${sampler.progress()})`));
    }, 500);
  });
  try {
    await Promise.race([sampler.done, stalled]);
  } finally {
    clearInterval(timer);
  }
}

interface Measured {
  samples: number[];
  perSecond: number;
  tookS: number;
}

interface BaselineMeasured extends Measured {
  /** How long the results worker's Queue.add of the next call took, in the measured window. */
  adds: number[];
}

const deviceIds = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `bench-${tag}-${String(i + 1).padStart(2, '0')}`);

/** Bare BullMQ: call queue → worker adds a result → results worker records the time and adds the next call. */
async function measureBaseline(env: BenchEnv, lanes: number, calls: number): Promise<BaselineMeasured> {
  const began = performance.now();
  const prefix = `${env.prefix}-base-r${lanes}`;
  const sampler = createSampler(calls);
  const devices = deviceIds(`base${lanes}`, lanes);
  // The bot's side: one connection for its queues, one for its worker.
  const botConnection = createRedis(env.redisUrl);
  const botWorkerConnection = createRedis(env.redisUrl, { forWorker: true });
  const callQueues = devices.map((id) => new Queue<ToolCallJob>(toolQueueName(id), { connection: botConnection, prefix }));
  const connections: Redis[] = [botConnection, botWorkerConnection];
  const closers: (() => Promise<void>)[] = [];
  let stopped = false;
  let failure: Error | null = null;
  const counters = devices.map(() => 0);
  const adds: number[] = [];
  const call = async (lane: number): Promise<void> => {
    const deviceId = devices[lane]!;
    const n = (counters[lane] = counters[lane]! + 1);
    const callId = toolCallId(`run_base${lane}`, `step${n}`, 1, 1);
    const job: ToolCallJob = { callId, runId: `run_base${lane}`, stepId: `step${n}`, visit: 1, try: 1, stepType: 'diagnose', deviceId, tool: 'echo', input: { text: `step ${n}`, device: deviceId }, deadline: Date.now() + 120_000 };
    await callQueues[lane]!.add('echo', job, { ...CALL_JOB_OPTIONS, jobId: callId });
  };
  try {
    // The runners' side: each its own two connections, as startRunner is given.
    for (const deviceId of devices) {
      const connection = createRedis(env.redisUrl);
      const workerConnection = createRedis(env.redisUrl, { forWorker: true });
      connections.push(connection, workerConnection);
      const results = new Queue<ToolResultJob>(TOOL_RESULTS_QUEUE, { connection, prefix });
      const worker = new Worker<ToolCallJob>(
        toolQueueName(deviceId),
        async (job) => {
          const { callId, runId, stepId, visit, input } = job.data;
          await results.add('result', { callId, runId, stepId, visit, try: job.data.try, deviceId, source: 'runner', ok: true, output: input, error: null }, { ...RESULT_JOB_OPTIONS, jobId: resultJobId(callId) });
        },
        { connection: workerConnection, prefix, concurrency: RUNNER_CONCURRENCY, lockDuration: STALLED_CHECK_MS, stalledInterval: STALLED_CHECK_MS },
      );
      worker.on('failed', (_job, error) => (failure ??= error));
      closers.push(async () => {
        await worker.close();
        await results.close();
      });
    }
    const resultWorker = new Worker<ToolResultJob>(
      TOOL_RESULTS_QUEUE,
      async (job) => {
        const lane = devices.indexOf(job.data.deviceId);
        // Stamped after the next call is sent, as the bot's apply returns after its dispatch.
        const sending = performance.now();
        if (!stopped) await call(lane);
        const at = performance.now();
        if (sampler.result(job.data.runId, at)) adds.push(at - sending);
      },
      { connection: botWorkerConnection, prefix, concurrency: RESULT_CONCURRENCY },
    );
    resultWorker.on('failed', (_job, error) => (failure ??= error));
    closers.unshift(() => resultWorker.close());
    for (let lane = 0; lane < lanes; lane += 1) await call(lane);
    await sampled(sampler, `baseline, ${lanes} lanes`, () => failure);
    stopped = true;
    return { samples: sampler.samples.sort((a, b) => a - b), perSecond: sampler.perSecond(), tookS: (performance.now() - began) / 1000, adds };
  } finally {
    stopped = true;
    for (const close of closers) await close();
    await Promise.all(callQueues.map((q) => q.close()));
    for (const c of connections) c.disconnect();
    await deleteQueueKeys(env.redisUrl, prefix);
  }
}

const SEGMENTS = ['apply', 'begin', 'tool', 'finish'] as const;
/** Where a sampled call's time went: the parts of its round trip timed here, one entry per sample. */
type Segments = Record<(typeof SEGMENTS)[number], number[]>;

interface ToolMeasured extends Measured {
  segments: Segments;
  /** Database commands (name and collection) that ended in the measured window, per call applied there: count, mean ms. */
  commands: [string, number, number][];
  failed: number;
  runs: number;
  logged: Map<string, number>;
}

/** `fn`, reporting how long each call took together with its arguments. */
function timed<A extends unknown[], T>(fn: (...args: A) => Promise<T>, took: (ms: number, ...args: A) => void): (...args: A) => Promise<T> {
  return async (...args) => {
    const started = performance.now();
    try {
      return await fn(...args);
    } finally {
      took(performance.now() - started, ...args);
    }
  };
}

async function publishRunbook(app: App): Promise<void> {
  const parsed = parseDefinition({
    name: RUNBOOK,
    audience: 'agentic',
    variables: [{ name: 'deviceId', required: true }],
    steps: Array.from({ length: STEPS }, (_, i) => ({ label: `Echo ${i + 1}`, type: 'diagnose', tool: 'echo', tool_input: { text: `step ${i + 1}`, device: '{{deviceId}}' } })),
  });
  if (!parsed.ok) throw new Error(`bad bench definition: ${JSON.stringify(parsed.problems)}`);
  await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'bench' }, publish: true });
}

async function measureTools(env: BenchEnv, runners: number, calls: number, echoModule: string): Promise<ToolMeasured> {
  const began = performance.now();
  const prefix = `${env.prefix}-tools-r${runners}`;
  const { logger, counts } = countingLogger();
  const config = benchAppConfig(env, { runnerStalledCheckMs: STALLED_CHECK_MS });
  const sampler = createSampler(calls);
  const segments: Segments = { apply: [], begin: [], tool: [], finish: [] };
  const stateRoot = await mkdtemp(join(tmpdir(), 'rb-bench-journals-'));
  // Each run's parts since its previous result, handed to the sample its next result makes.
  // The device's journal knows the run (begin) or the call (finish); the tool only its input,
  // which names the device, and a device has one run in flight.
  const parts = new Map<string, Partial<Record<keyof Segments, number>>>();
  const add = (runId: string | undefined, part: keyof Segments, ms: number) => {
    if (runId === undefined) return;
    const entry = parts.get(runId) ?? {};
    entry[part] = (entry[part] ?? 0) + ms;
    parts.set(runId, entry);
  };
  const runOfCall = new Map<string, string>();
  let commands = new Map<string, [number, number]>();
  const runOnDevice = new Map<string, string>();
  let app: App | undefined;
  const started: Runner[] = [];
  const connections: Redis[] = [];
  const live = new Set<string>();
  const ends = new Map<string, () => void>();
  let stopped = false;
  let failed = 0;
  let runs = 0;
  let laneError: Error | null = null;
  try {
    app = await startApp({ config, logger, queuePrefix: prefix, builtinPlaybooks: false });
    counts.clear(); // the "Slack is not configured" help printed at start
    commands = timeCommands(app.db.conn.getClient(), () => sampler.inWindow());
    await publishRunbook(app);
    const runnerConfig = parseRunnerConfig({ custom_tools: [echoModule] }, process.cwd());
    const registry = await createToolRegistry(runnerConfig);
    const timedRegistry: ToolRegistry = {
      names: () => registry.names(),
      call: timed(registry.call, (ms, _name, input) => add(runOnDevice.get(String((input as { device?: unknown }).device)), 'tool', ms)),
    };
    // Each device's call journal, on this machine's disk as a real device's would be.
    const timedJournal = (journal: CallJournal): CallJournal => ({
      ...journal,
      begin: timed(journal.begin, (ms, call) => {
        runOfCall.set(call.id, call.run_id);
        add(call.run_id, 'begin', ms);
      }),
      finish: timed(journal.finish, (ms, id) => {
        add(runOfCall.get(id), 'finish', ms);
        runOfCall.delete(id);
      }),
    });
    const devices = deviceIds(`r${runners}`, runners);
    for (const deviceId of devices) {
      const state = join(stateRoot, deviceId);
      await mkdir(state, { recursive: true });
      const connection = createRedis(env.redisUrl);
      const workerConnection = createRedis(env.redisUrl, { forWorker: true });
      connections.push(connection, workerConnection);
      started.push(
        await startRunner({
          credential: await enrollInProcess(createDeviceCredentialStore(app.db.conn), deviceId, { kind: 'cli', id: 'bench' }),
          tags: ['bench'],
          config: runnerConfig,
          registry: timedRegistry,
          journal: timedJournal(createCallJournal(state)),
          connection,
          workerConnection,
          prefix,
          concurrency: RUNNER_CONCURRENCY,
          stalledCheckMs: STALLED_CHECK_MS,
          logger,
        }),
      );
    }

    // The app's tool-result worker calls apply through this same object.
    const service = app.service;
    const apply = service.apply;
    service.apply = async (runId, command) => {
      if (command.type !== 'tool_result') return apply(runId, command);
      // The runner's parts of this call are done (it sent the result after them); what it
      // does from here on is the next call's, which this apply dispatches.
      const took = parts.get(runId) ?? {};
      parts.delete(runId);
      const t0 = performance.now();
      const result = await apply(runId, command);
      if (result.duplicate) return result;
      const at = performance.now();
      if (!command.ok) failed += 1;
      took.apply = at - t0;
      runOnDevice.set(result.run.variables.deviceId ?? '', runId);
      if (sampler.result(runId, at)) for (const part of SEGMENTS) segments[part].push(took[part] ?? Number.NaN);
      if (result.run.status !== 'running') {
        sampler.forget(runId);
        live.delete(runId);
        ends.get(runId)?.();
        ends.delete(runId);
      }
      return result;
    };

    const lane = async (deviceId: string): Promise<void> => {
      while (!stopped) {
        const run = await service.start({ runbook: RUNBOOK, variables: { deviceId }, actor });
        runOnDevice.set(deviceId, run.id);
        runs += 1;
        live.add(run.id);
        if (!stopped) await new Promise<void>((resolve) => ends.set(run.id, resolve));
      }
    };
    const lanes = devices.map((d) =>
      lane(d).catch((error: unknown) => {
        laneError ??= error as Error;
      }),
    );
    await sampled(sampler, `tools, ${runners} runners`, () => laneError);
    stopped = true;
    const logged = new Map(counts);
    for (const resolve of ends.values()) resolve();
    await Promise.all(lanes);
    // The rest of the runs in flight: their results, still coming, change nothing.
    for (const runId of live) await service.apply(runId, { type: 'cancel', actor, reason: 'benchmark over' }).catch(() => undefined);
    return {
      samples: sampler.samples.sort((a, b) => a - b),
      perSecond: sampler.perSecond(),
      tookS: (performance.now() - began) / 1000,
      segments,
      commands: [...commands.entries()].sort((a, b) => b[1][1] - a[1][1]).map(([key, [n, total]]) => [key, n / sampler.applied(), total / n]),
      failed,
      runs,
      logged,
    };
  } finally {
    stopped = true;
    for (const resolve of ends.values()) resolve();
    await stopInOrder('tools', [
      ['runners', () => Promise.all(started.map((r) => r.stop()))],
      ['bot', async () => app?.stop()],
      ['queue keys', () => deleteQueueKeys(env.redisUrl, prefix)],
      // The next configuration starts from empty collections, as this one did.
      ['collections', () => Promise.all(['runs', 'run_events', 'devices', 'device_beats'].map((c) => env.conn.collection(c).deleteMany({})))],
      ['journals', () => rm(stateRoot, { recursive: true, force: true })],
    ]);
    for (const c of connections) c.disconnect();
  }
}

/** The echo tool, as a custom tool module: zod checks its input, it returns it. */
async function writeEchoTool(dir: string): Promise<string> {
  const path = join(dir, 'echo-tool.mjs');
  const zod = import.meta.resolve('zod');
  await writeFile(
    path,
    [
      `import { z } from ${JSON.stringify(zod)};`,
      'export default {',
      "  name: 'echo',",
      "  description: 'Returns its input: a call that costs only the machinery.',",
      '  input: z.object({ text: z.string(), device: z.string() }),',
      '  async run(input) { return { text: input.text, device: input.device }; },',
      '};',
      '',
    ].join('\n'),
  );
  return path;
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
const mean = (list: number[]) => (list.length === 0 ? Number.NaN : list.reduce((a, b) => a + b, 0) / list.length);

interface Row {
  runners: number;
  tools: ToolMeasured;
  baseline: BaselineMeasured;
}

async function onBackend(backend: Backend, echoModule: string): Promise<string> {
  const loadBefore = loadAverage();
  const began = performance.now();
  const env = await openBenchEnv(backend);
  try {
    const rows: Row[] = [];
    const calls = CALLS;
    for (const runners of RUNNERS) {
      const baseline = await measureBaseline(env, runners, calls);
      const tools = await measureTools(env, runners, calls, echoModule);
      rows.push({ runners, tools, baseline });
    }
    const p = (list: number[], at: number) => percentile(list, at);
    const logged = new Map<string, number>();
    for (const r of rows) for (const [msg, n] of r.tools.logged) logged.set(`${msg} (${r.runners} runners)`, n);
    return [
      `${env.server}; runbook of ${STEPS} diagnose steps of a no-op echo tool; one run in flight per device; times in ms`,
      table(
        ['runners', 'runs in flight', 'calls', 'round trip p50', 'round trip p99', 'calls/s', 'baseline p50', 'baseline p99', 'baseline calls/s', 'p50 ratio', 'p99 ratio', 'failed'],
        rows.map((r) => [
          r.runners,
          r.runners,
          r.tools.samples.length,
          ms(p(r.tools.samples, 50)),
          ms(p(r.tools.samples, 99)),
          r.tools.perSecond.toFixed(0),
          ms(p(r.baseline.samples, 50)),
          ms(p(r.baseline.samples, 99)),
          r.baseline.perSecond.toFixed(0),
          (p(r.tools.samples, 50) / p(r.baseline.samples, 50)).toFixed(1),
          (p(r.tools.samples, 99) / p(r.baseline.samples, 99)).toFixed(1),
          r.tools.failed,
        ]),
      ),
      'Where a call goes (mean per call, ms; the rest is BullMQ: the call job picked up, the result added and picked up)',
      table(
        ['runners', 'round trip', 'bot: apply the result (lock, save, next dispatch, audit copy)', 'runner: journal begin', 'runner: echo', 'runner: journal finish', 'the rest (< 0: parts overlapped)', 'baseline round trip', 'baseline: one Queue.add'],
        rows.map((r) => {
          const s = r.tools.segments;
          const parts = [mean(s.apply), mean(s.begin), mean(s.tool), mean(s.finish)];
          const total = mean(r.tools.samples);
          return [r.runners, ms(total), ...parts.map(ms), ms(total - parts.reduce((a, b) => a + b, 0)), ms(mean(r.baseline.samples)), ms(mean(r.baseline.adds))];
        }),
      ),
      ...rows.map((r) => `database commands per call, ${r.runners} runners (count × mean ms, driver-timed): ${r.tools.commands.map(([key, n, each]) => `${key} ${n.toFixed(2)} × ${ms(each)}`).join(', ')}`),
      `runs started: ${rows.map((r) => `${r.tools.runs} (${r.runners} runners)`).join(', ')}; took ${rows.map((r) => `${r.baseline.tookS.toFixed(1)} s baseline + ${r.tools.tookS.toFixed(1)} s tools (${r.runners} runners)`).join(', ')}; ${((performance.now() - began) / 1000).toFixed(0)} s with the server's start`,
      `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
      ...(logged.size > 0 ? [`logged by the bot and runners: ${[...logged.entries()].map(([msg, n]) => `${n}× ${msg}`).join('; ')}`] : []),
    ].join('\n');
  } finally {
    await env.close();
  }
}

export async function benchToolRoundTrip(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `rb-bench-tools-${randomBytes(3).toString('hex')}-`));
  try {
    const echoModule = await writeEchoTool(dir);
    const parts = [
      `Tool-call round trip: a tool result applied → the next step's result applied, one run per device, sampled after ${WARMUP} calls of warm-up, against bare BullMQ (call queue → result queue → next call) in the same run`,
    ];
    for (const backend of benchBackends()) parts.push(await onBackend(backend, echoModule));
    return parts.join('\n\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
