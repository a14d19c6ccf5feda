// Shared set-up for benchmarks: the same servers the tests use (the embedded store, FerretDB
// on an embedded PostgreSQL, unless MONGODB_URI is set; Redis from REDIS_URL), a fresh
// database and queue prefix, and cleanup.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type mongoose from 'mongoose';

import type { Config } from '../src/config/env.js';
import { parseDefinition } from '../src/engine/definition/index.js';
import { startRun, transition, type AuditEntry, type Command, type Run, type RunbookSnapshot } from '../src/engine/index.js';
import { newId } from '../src/ids.js';
import { runModel } from '../src/models/run-model.js';
import { mutableFields, runDocPatch, toRunDoc, type RunDocPatch } from '../src/models/run-codec.js';
import { createRunbookStore } from '../src/models/runbook-store.js';
import { startEmbeddedMongo } from '../src/embedded/ferretdb.js';
import { createRedis } from '../src/jobs/redis.js';
import { createLogger, type Logger } from '../src/logger.js';
import { connectMongo } from '../src/models/connection.js';
import { deleteKeysUnder } from '../test/support/redis.js';

export interface BenchEnv {
  conn: mongoose.Connection;
  /** The server's URI naming the bench database, for code that opens its own connection (Config.mongodbUri). */
  uri: string;
  dbName: string;
  redisUrl: string;
  prefix: string;
  server: string;
  close(): Promise<void>;
}

/**
 * `embedded`: the default store (FerretDB on the embedded PostgreSQL 17 the project ships);
 * `postgresql`: FerretDB on a PostgreSQL of the machine's (BENCH_POSTGRESQL_URL).
 */
export type Backend = 'embedded' | 'postgresql';

/** Which servers to measure on: MONGODB_URI when set, else FerretDB on the backends named (BENCH_BACKENDS). */
export function benchBackends(): Backend[] {
  if (process.env.MONGODB_URI) return ['embedded'];
  return (process.env.BENCH_BACKENDS ?? 'embedded').split(',').map((b) => b.trim()) as Backend[];
}

const POSTGRESQL_URL = process.env.BENCH_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/runbook_bench';

export async function openBenchEnv(backend: Backend = 'embedded'): Promise<BenchEnv> {
  let uri = process.env.MONGODB_URI;
  let stopServer = async () => {};
  let server = 'MongoDB at MONGODB_URI';
  if (!uri) {
    const dir = await mkdtemp(join(tmpdir(), 'rb-bench-'));
    const embedded = await startEmbeddedMongo({ dataDir: dir, ...(backend === 'postgresql' ? { postgresqlUrl: POSTGRESQL_URL } : {}) });
    uri = embedded.uri;
    server = backend === 'postgresql' ? 'FerretDB 1.24 (patched) on the machine’s PostgreSQL 15' : 'FerretDB 1.24 (patched) on the embedded PostgreSQL 17 (the default store)';
    stopServer = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const dbName = `bench_${randomBytes(4).toString('hex')}`;
  const conn = await connectMongo(uri, dbName);
  return {
    conn,
    uri: withDatabase(uri, dbName),
    dbName,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: `bench-${randomBytes(4).toString('hex')}`,
    server,
    async close() {
      await conn.dropDatabase();
      await conn.close();
      await stopServer();
    },
  };
}

/** `uri` with its database path replaced by `dbName`; options (`?…`) and hosts are kept. */
export function withDatabase(uri: string, dbName: string): string {
  const [base = '', query] = uri.split(/\?(.*)/s, 2);
  const hostsEnd = base.indexOf('/', base.indexOf('//') + 2);
  const hosts = hostsEnd === -1 ? base : base.slice(0, hostsEnd);
  return `${hosts}/${dbName}${query ? `?${query}` : ''}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

/** Counts warnings and errors by message instead of printing them between table rows. */
export function countingLogger(): { logger: Logger; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const logger = createLogger('warn', (line) => {
    const { level, msg, error } = JSON.parse(line) as { level: string; msg: string; error?: unknown };
    const key = `${level}: ${msg}${error ? ` (${String(typeof error === 'string' ? error : JSON.stringify(error)).slice(0, 80)})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { logger, counts };
}

/** Deletes a bench's BullMQ keys (everything under `prefix:`). */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedis(redisUrl);
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Runs each stop step in order; a failing one is reported and the rest still run. */
export async function stopInOrder(bench: string, steps: [string, () => Promise<unknown>][]): Promise<void> {
  for (const [what, step] of steps) {
    await step().catch((error: unknown) => console.error(`${bench} bench: stopping the ${what} failed: ${(error as Error).message}`));
  }
}

/** What cpuSeconds() measures, in its order: the servers a bench runs on, and the machine as a whole. */
export const CPU_USERS = ['node (this process)', 'FerretDB', 'PostgreSQL (all its processes)', 'Redis', 'machine'] as const;

/** CPU seconds used so far by each of CPU_USERS (FerretDB: this process's child). Linux /proc; NaN for the rest elsewhere. */
export function cpuSeconds(): number[] {
  const own = process.cpuUsage();
  const used = [(own.user + own.system) / 1e6, 0, 0, 0, Number.NaN];
  const tick = 100; // USER_HZ
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // it ended meanwhile
      }
      // "pid (comm) state ppid …": after the comm, ppid is field 1 and utime, stime 11 and 12.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
      const user = comm === 'ferretdb' && Number(fields[1]) === process.pid ? 1 : comm === 'postgres' ? 2 : comm === 'redis-server' ? 3 : 0;
      if (user > 0) used[user] = (used[user] ?? 0) + seconds;
    }
    // "cpu user nice system idle iowait irq softirq steal …": busy is all but idle and iowait.
    const jiffies = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    used[4] = (jiffies.reduce((a, b) => a + b, 0) - (jiffies[3] ?? 0) - (jiffies[4] ?? 0)) / tick;
  } catch {
    return [used[0] ?? 0, Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  }
  return used;
}

/** Cores each of CPU_USERS used since `from` (a cpuSeconds() reading), over `seconds` of wall time. */
export function coresSince(from: number[], seconds: number): number[] {
  return cpuSeconds().map((v, i) => (v - (from[i] ?? 0)) / seconds);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The main thread's CPU profile from start to stop (node's inspector), written to a .cpuprofile file. */
export function createCpuProfiler() {
  const session = new Session();
  return {
    async start(): Promise<void> {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    /** Writes the profile to `path`; returns its self time by place, largest first, as "place 12.3%". */
    async stop(path: string): Promise<string[]> {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      session.disconnect();
      await writeFile(path, JSON.stringify(profile));
      const placeOfNode = new Map(profile.nodes.map((n) => [n.id, placeOf(n.callFrame.url, n.callFrame.functionName)]));
      const self = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const place = placeOfNode.get(id) ?? '?';
        self.set(place, (self.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
      });
      const total = [...self.values()].reduce((a, b) => a + b, 0);
      return [...self.entries()].sort((a, b) => b[1] - a[1]).map(([place, t]) => `${place} ${((100 * t) / total).toFixed(1)}%`);
    },
  };
}

/** A package (node_modules/NAME), a folder of this repository, a node module, or a native or VM frame by name. */
function placeOf(url: string, fn: string): string {
  if (url === '') return fn || '(program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  if (url.startsWith('node:')) return url.startsWith('node:internal/') ? `node:${url.split('/')[1] ?? ''}` : url;
  const local = /\/(src|bench|test)\/(.+)$/.exec(url);
  if (!local) return url;
  const dirs = (local[2] ?? '').split('/').slice(0, -1);
  return dirs.length > 0 ? `${local[1]}/${dirs.join('/')}` : `${local[1]}/${local[2]}`;
}

/** The URI with the driver's command monitoring on, which timeCommands listens to. */
export function withCommandMonitoring(uri: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`;
}

type MonitoredClient = ReturnType<mongoose.Connection['getClient']>;
type CommandStarted = mongoose.mongo.CommandStartedEvent;

/**
 * Driver-timed database commands while `counting()` holds, as `update runs` → [count, total
 * ms]; `onStart` sees every counted command as it starts (for what a bench reads from them).
 */
export function timeCommands(client: MonitoredClient, counting: () => boolean, onStart?: (e: CommandStarted) => void): Map<string, [number, number]> {
  const commandOf = new Map<number, string>();
  const commands = new Map<string, [number, number]>();
  client.on('commandStarted', (e) => {
    if (!counting()) return;
    commandOf.set(e.requestId, `${e.commandName} ${String((e.command as Record<string, unknown>)[e.commandName])}`);
    onStart?.(e);
  });
  client.on('commandSucceeded', (e) => {
    const key = commandOf.get(e.requestId);
    if (key === undefined) return;
    commandOf.delete(e.requestId);
    const [n, total] = commands.get(key) ?? [0, 0];
    commands.set(key, [n + 1, total + e.duration]);
  });
  return commands;
}

/** The service's configuration for a bench: loopback, quiet, Slack off unless `overrides` sets it, commands timed. */
export function benchAppConfig(env: Pick<BenchEnv, 'uri' | 'redisUrl'>, overrides: Partial<Config> = {}): Config {
  return {
    mongodbUri: withCommandMonitoring(env.uri),
    redisUrl: env.redisUrl,
    // Slack is off (no token, no secret, no sandbox) unless overridden; the URL is then never used.
    ...(overrides.slackBotToken === undefined && { slackMode: 'off' as const }),
    slackApiUrl: 'http://127.0.0.1:9/api/',
    port: 0,
    host: '127.0.0.1',
    logLevel: 'warn',
    reconcileIntervalMs: 60_000,
    deviceHeartbeatMs: 10_000,
    runnerStalledCheckMs: 30_000,
    ...overrides,
  };
}

/** Publishes `definition` through the runbook store, as a user would, and returns what runs pin. */
export async function publishBenchRunbook(conn: mongoose.Connection, definition: unknown): Promise<RunbookSnapshot> {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(`bench runbook does not parse: ${JSON.stringify(parsed.problems)}`);
  const runbooks = createRunbookStore(conn);
  const saved = await runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'bench' }, publish: true });
  return runbooks.snapshotForRun(saved.runbook.id);
}

/** The patch as an update's `$set`: `steps.N` paths for the steps, so the rest stay as they are. */
function patchToSet(patch: RunDocPatch): Record<string, unknown> {
  const set: Record<string, unknown> = { ...patch.set };
  for (const { i, doc } of patch.steps) set[`steps.${i}`] = doc;
  return set;
}

/**
 * Writes runs' documents at the states given (untimed set-up for a raw baseline that
 * continues from them): the store writes a run's document only when a snapshot is due, so
 * a document may lag the state its service holds.
 */
export async function writeRunDocuments(conn: mongoose.Connection, runs: Run[]): Promise<void> {
  const collection = runModel(conn).collection;
  await Promise.all(runs.map((run) => collection.updateOne({ _id: run.id as never }, { $set: mutableFields(run) })));
}

/**
 * The raw baseline of the store: the smallest conditional update of the run document that
 * records what `command` changes (`{_id, audit_seq}` with the `$set` of the changed fields
 * and steps), where a commit inserts the audit event that claims the transition and writes
 * the document only when a snapshot is due. Returns the update and the state it leads to.
 */
export function rawCommitUpdate(run: Run, command: Command, now: number): { filter: Record<string, unknown>; update: Record<string, unknown>; after: Run; patch: RunDocPatch; audit: AuditEntry } {
  const result = transition(run, command, { now });
  if (!result.ok || result.duplicate) throw new Error(`raw baseline: ${command.type} refused on run ${run.id}`);
  const patch = runDocPatch(run, result.run);
  return { filter: { _id: run.id, audit_seq: run.audit_seq }, update: { $set: patchToSet(patch) }, after: result.run, patch, audit: result.audit };
}

/** The machine's 1, 5 and 15 minute load averages, for a table's heading. */
export const loadAverage = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/**
 * The store's raw conditional update at a concurrency, for a bar that depends on it: runs of
 * `snapshot` written straight to the collection, `concurrency` loops each pausing and
 * resuming its own run `perLoop` times through rawCommitUpdate; sorted latencies in ms. The
 * runs are removed afterwards.
 */
export async function rawUpdateLatencies(conn: mongoose.Connection, snapshot: RunbookSnapshot, concurrency: number, perLoop: number): Promise<number[]> {
  const runs = runModel(conn).collection;
  const actor = { kind: 'system' as const, id: 'bench-raw' };
  const started = Array.from({ length: concurrency }, () => {
    const r = startRun({ id: newId('run'), runbook: snapshot, variables: {}, started_by: actor }, { now: Date.now(), ids: () => newId('rrs') });
    if (!r.ok) throw new Error(r.error.message);
    return r.run;
  });
  await runs.insertMany(started.map((r) => toRunDoc(r)) as never[]);
  const latencies: number[] = [];
  try {
    await Promise.all(
      started.map(async (initial) => {
        let run = initial;
        for (let i = 0; i < perLoop; i += 1) {
          const { filter, update, after } = rawCommitUpdate(run, { type: run.status === 'paused' ? 'resume' : 'pause', actor }, Date.now());
          const t0 = performance.now();
          const r = await runs.updateOne(filter as never, update);
          latencies.push(performance.now() - t0);
          if (r.matchedCount !== 1) throw new Error('raw update lost its run');
          run = after;
        }
      }),
    );
  } finally {
    await runs.deleteMany({ _id: { $in: started.map((r) => r.id) as never[] } });
  }
  return latencies.sort((a, b) => a - b);
}
