// `npm run bench -- scale`: the scale harness (test/scale) at 1, 2 and 3 bot instances.
// Each configuration gets a fresh database and QUEUE_PREFIX on one embedded store (FerretDB
// on PostgreSQL, started here, unless MONGODB_URI is set), the instances and 3 device runners
// as real processes, and the same drive: BENCH_SCALE_RUNS runs (default 1,000) of the
// harness's runbook mix, BENCH_SCALE_LANES at once (default 24), clicks and API calls spread
// over the instances with duplicates, retried deliveries and stale clicks, every run then
// checked against its model. Reported per configuration:
//
// - runs/s: runs driven to their end per second of the drive; commands/s: the commands the
//   driver meant (a start, a click, an API call; each counted once however often it was
//   sent); requests/s: every HTTP request it sent (duplicates, retries, stale clicks
//   included); applied/s: audit entries stored (every command that took effect, the
//   system's waits and tool results included);
// - click→update: from sending a click or API call to the fake Slack receiving the
//   chat.update that shows its effect, p50 / p99;
// - CPU seconds used during the drive by the store (FerretDB and every PostgreSQL process
//   under its postmaster), the bot instances, the runners and this process (the driver and
//   the fake Slack), read from /proc/PID/stat (utime + stime, and cutime + cstime for exited
//   children such as PostgreSQL backends), and the store's share of the four;
// - what the checks found (duplicates, mismatches, missing, divergences), by kind.
//
// Ratios are against the 1-instance row of the same run. BENCH_SCALE_INSTANCES (default
// "1,2,3") picks the configurations, BENCH_SCALE_SEED the seed (the same for each).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmbeddedMongo } from '../src/embedded/ferretdb.js';
import { connectMongo } from '../src/models/connection.js';
import { checkDrive, countProblems, describeProblems, type CheckReport } from '../test/scale/checks.js';
import { startCluster, type Cluster } from '../test/scale/cluster.js';
import { drive, type DriveResult } from '../test/scale/driver.js';
import { deleteQueueKeys, percentile, table, withDatabase } from './support.js';

const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 1000);
const LANES = Number(process.env.BENCH_SCALE_LANES ?? 24);
const INSTANCES = (process.env.BENCH_SCALE_INSTANCES ?? '1,2,3').split(',').map(Number);
const SEED = Number(process.env.BENCH_SCALE_SEED ?? 15);
const DEVICES = ['scale-dev-1', 'scale-dev-2', 'scale-dev-3'];
const TICK = 100; // USER_HZ

interface ProcStat {
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, seconds. */
  seconds: number;
}

function procTable(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid …": after the comm, ppid is field 1; utime, stime, cutime, cstime 11–14.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    out.set(Number(name), { ppid: f[1] ?? 0, comm, seconds: ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / TICK });
  }
  return out;
}

/**
 * CPU seconds of each group of process trees so far: every live process under the roots, with
 * the children each has reaped (PostgreSQL's backends end with their connections).
 */
function treeSeconds(groups: Record<string, number[]>): Record<string, number> {
  const procs = procTable();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const out: Record<string, number> = {};
  for (const [group, roots] of Object.entries(groups)) {
    let total = 0;
    const stack = roots.filter((pid) => procs.has(pid));
    const seen = new Set<number>();
    while (stack.length > 0) {
      const pid = stack.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      total += procs.get(pid)?.seconds ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    out[group] = total;
  }
  const own = process.cpuUsage();
  out.driver = (own.user + own.system) / 1e6;
  const redis = [...procs.values()].filter((p) => p.comm === 'redis-server').reduce((a, p) => a + p.seconds, 0);
  out.redis = redis;
  const jiffies = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  out.machine = (jiffies.reduce((a, b) => a + b, 0) - (jiffies[3] ?? 0) - (jiffies[4] ?? 0)) / TICK;
  return out;
}

interface Row {
  instances: number;
  drive: DriveResult;
  report: CheckReport;
  cpu: Record<string, number>;
  seconds: number;
  load: string;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function measure(instances: number, store: { uri: string; pids: number[] | null }): Promise<Row> {
  const dbName = `bench_scale_${randomBytes(4).toString('hex')}`;
  const prefix = `bench-scale-${randomBytes(4).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const log = (line: string) => console.error(`[scale ${instances}] ${line}`);
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ mongodbUri: withDatabase(store.uri, dbName), redisUrl, prefix, instances, devices: DEVICES, log });
    const groups = {
      store: store.pids ?? [],
      bots: cluster.instances.map((i) => i.child.pid!),
      runners: cluster.devices.map((d) => d.runner.child.pid!),
    };
    const loadBefore = load();
    const before = treeSeconds(groups);
    const result = await drive({ cluster, runs: RUNS, lanes: LANES, seed: SEED, observeTimeoutMs: 60_000, log });
    const after = treeSeconds(groups);
    const cpu = Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
    log(`drive done in ${((result.endedAt - result.startedAt) / 1000).toFixed(1)} s; checking`);
    const report = await checkDrive(cluster, result);
    // BENCH_SCALE_REPORT=PREFIX keeps every problem and trail in PREFIX-<instances>.json.
    if (process.env.BENCH_SCALE_REPORT) {
      await writeFile(`${process.env.BENCH_SCALE_REPORT}-${instances}.json`, JSON.stringify({ problems: report.problems, anomalies: result.anomalies, runs: result.records.map((r) => ({ index: r.index, runId: r.runId, kind: r.kind, trail: r.trail })) }, null, 2));
    }
    return { instances, drive: result, report, cpu, seconds: (result.endedAt - result.startedAt) / 1000, load: `${loadBefore} → ${load()}` };
  } finally {
    await cluster?.stop().catch((e: unknown) => console.error(`scale bench: stopping the cluster failed: ${(e as Error).message}`));
    const conn = await connectMongo(store.uri, dbName);
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await deleteQueueKeys(redisUrl, prefix);
  }
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');

export async function benchScale(): Promise<string> {
  let uri = process.env.MONGODB_URI;
  let pids: number[] | null = null;
  let stopStore = async () => {};
  let server = 'MongoDB at MONGODB_URI';
  if (!uri) {
    const dir = await mkdtemp(join(tmpdir(), 'rb-bench-scale-'));
    const embedded = await startEmbeddedMongo({ dataDir: dir });
    uri = embedded.uri;
    pids = [embedded.ferretdbPid, ...(embedded.postgres ? [embedded.postgres.pid] : [])];
    server = 'FerretDB 1.24 (patched) on the embedded PostgreSQL 17';
    stopStore = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const rows: Row[] = [];
  try {
    for (const n of INSTANCES) rows.push(await measure(n, { uri, pids }));
  } finally {
    await stopStore();
  }
  const base = rows.find((r) => r.instances === 1) ?? rows[0]!;
  const rate = (r: Row) => r.drive.records.length / r.seconds;
  const main = table(
    ['instances', 'runs', 'wall s', 'runs/s', 'commands/s', 'requests/s', 'applied/s', 'click→update p50 / p99 ms', 'runs/s ratio', 'p99 ratio'],
    rows.map((r) => {
      const lat = [...r.drive.latencies].sort((a, b) => a - b);
      const baseLat = [...base.drive.latencies].sort((a, b) => a - b);
      return [
        r.instances,
        r.drive.records.length,
        f1(r.seconds),
        f2(rate(r)),
        f1(r.drive.commands / r.seconds),
        f1(r.drive.requests / r.seconds),
        f1(r.report.applied / r.seconds),
        `${percentile(lat, 50).toFixed(0)} / ${percentile(lat, 99).toFixed(0)}`,
        f2(rate(r) / rate(base)),
        f2(percentile(lat, 99) / percentile(baseLat, 99)),
      ];
    }),
  );
  const cpu = table(
    ['instances', 'store CPU s', 'bots CPU s', 'runners CPU s', 'driver + fake Slack CPU s', 'Redis CPU s (all clients)', 'other processes CPU s', 'store share', 'machine busy (cores)', 'store CPU ms per applied command', 'bots CPU ms per applied command', 'load average before → after'],
    rows.map((r) => {
      const mine = (r.cpu.store ?? 0) + (r.cpu.bots ?? 0) + (r.cpu.runners ?? 0) + (r.cpu.driver ?? 0);
      return [
        r.instances,
        pids ? f1(r.cpu.store ?? 0) : '-',
        f1(r.cpu.bots ?? 0),
        f1(r.cpu.runners ?? 0),
        f1(r.cpu.driver ?? 0),
        f1(r.cpu.redis ?? 0),
        f1((r.cpu.machine ?? 0) - mine - (r.cpu.redis ?? 0)),
        pids ? `${((100 * (r.cpu.store ?? 0)) / mine).toFixed(0)}%` : '-',
        f2((r.cpu.machine ?? 0) / r.seconds),
        pids ? f2((1000 * (r.cpu.store ?? 0)) / r.report.applied) : '-',
        f2((1000 * (r.cpu.bots ?? 0)) / r.report.applied),
        r.load,
      ];
    }),
  );
  const checks = table(
    ['instances', 'final statuses', 'live posts', 'step replies', 'approval requests', 'tool executions', 'chat.update per applied command', 'duplicates', 'mismatches', 'missing', 'diverged', 'anomalies', 'notes'],
    rows.map((r) => {
      const by = (finding: string) => r.report.problems.filter((p) => p.finding === finding).length;
      return [r.instances, JSON.stringify(r.report.statuses).replace(/"/g, ''), r.report.livePosts, r.report.stepReplies, r.report.approvalRequests, r.report.toolCalls, f2((r.report.slackCalls['chat.update'] ?? 0) / r.report.applied), by('duplicate'), by('mismatch'), by('missing'), by('diverged'), r.drive.anomalies.length, by('note')];
    }),
  );
  const kinds = rows.flatMap((r) => [...countProblems(r.report.problems)].map(([kind, n]) => `  ${r.instances} instance(s): ${n} × ${kind}`));
  const details = rows.filter((r) => r.report.problems.length > 0).map((r) => `--- ${r.instances} instance(s), first problems:\n${describeProblems(r.report.problems, 5)}`);
  const odd = rows.filter((r) => r.drive.anomalies.length > 0).map((r) => `--- ${r.instances} instance(s), anomalies:\n${r.drive.anomalies.slice(0, 10).join('\n')}`);
  return [
    `Scale harness: ${RUNS} runs per configuration, ${LANES} at once, seed ${SEED}; 3 device runners; ${server}; Redis at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}`,
    main,
    '',
    cpu,
    '',
    checks,
    ...(kinds.length > 0 ? ['', 'Problems by kind:', ...kinds] : []),
    ...(details.length > 0 ? ['', ...details] : []),
    ...(odd.length > 0 ? ['', ...odd] : []),
  ].join('\n');
}
