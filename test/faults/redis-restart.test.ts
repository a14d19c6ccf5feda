// Redis restarted with nothing persisted while 1,000 waits and 100 tool calls are pending
// (issue 15): the bot runs on a redis-server of this test's own, which is killed (-9) and
// started again empty on the same port. The database still knows every wait's due time and
// every call a run waits for; the reconcilers put them back. Every wait then fires exactly
// once, and once the device's runner starts, every tool runs exactly once.
// FAULTS_VERBOSE=1 prints the timings; FAULTS_APP_LOG=FILE keeps the bot's log.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import type { AuditEntry, Run, RunbookSnapshot } from '../../src/engine/index.js';
import { createRedis } from '../../src/jobs/redis.js';
import { TOOL_RESULTS_QUEUE, toolCallId, toolQueueName } from '../../src/jobs/tool-queue.js';
import { WAIT_QUEUE_NAME } from '../../src/jobs/wait-queue.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { createDeviceCredentialStore } from '../../src/models/device-credential-store.js';
import { createDeviceStore } from '../../src/models/device-store.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createCallJournal } from '../../src/runner/call-journal.js';
import { parseExposition, valueOf } from '../metrics/support/exposition.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { createTestPrefix } from '../support/redis.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { faultsVerbose, progressNotes } from './progress.js';

const WAITS = 1_000;
const TOOL_CALLS = 100;
/**
 * The first OVERDUE waits are due after EARLY_SECONDS, the others after LATE_SECONDS. Redis
 * stays down until every early wait is overdue (the reconciler fires those itself) while the
 * late ones are still ahead (it puts their timers back, and the worker fires them). Creating
 * the 1,100 runs takes 4–11 s on 2 cores (shared); the early waits leave room for twice that.
 */
const OVERDUE = 100;
const EARLY_SECONDS = 25;
const LATE_SECONDS = 45;
const DEVICE = 'fault-redis-01';
const RECONCILE_MS = 1_500;
const SIGNING_SECRET = 'faults-signing-secret';
const PROBE_TOOL = join(dirname(fileURLToPath(import.meta.url)), 'probe-tool.mjs');
const actor = { kind: 'cli' as const, id: 'fault-tester' };
const note = progressNotes('redis-restart');

const dbName = createTestDbName();
const prefix = createTestPrefix();
let redis: RedisServer | undefined;
let fake: FakeSlack | undefined;
let app: App | undefined;
let runner: { child: ChildProcess; exited: Promise<void>; output: () => string } | undefined;
let workDir = '';

/** The bot rig's shape (HTTP-mode Slack against the fake), with a short reconcile interval. */
const config = (redisUrl: string, slackApiUrl: string) =>
  testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redisUrl, {
    slackApiUrl,
    slackBotToken: 'xoxb-faults-token',
    slackSigningSecret: SIGNING_SECRET,
    reconcileIntervalMs: RECONCILE_MS,
  });

async function publish(definition: Record<string, unknown>): Promise<RunbookSnapshot> {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(`bad test definition: ${JSON.stringify(parsed.problems)}`);
  const saved = await app!.runbooks.save({ source: parsed.source, author: actor, publish: true });
  return app!.runbooks.snapshotForRun(saved.runbook.id, {});
}

/** Runs `task` on 0..count-1, `width` at a time. */
async function inBatches<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let from = 0; from < count; from += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - from) }, (_, k) => task(from + k)))));
  }
  return out;
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` with what `describe` says. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs: number, describe: () => Promise<string> = async () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms. ${await describe()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function queueCounts(redisUrl: string): Promise<{ waitsDelayed: number; callsWaiting: number }> {
  const connection = createRedis(redisUrl);
  const waits = new Queue(WAIT_QUEUE_NAME, { connection, prefix });
  const calls = new Queue(toolQueueName(DEVICE), { connection, prefix });
  try {
    const counts = { waitsDelayed: await waits.getDelayedCount(), callsWaiting: await calls.getWaitingCount() };
    return counts;
  } finally {
    await waits.close();
    await calls.close();
    connection.disconnect();
  }
}

const count = (audit: AuditEntry[], command: AuditEntry['command']) => audit.filter((e) => e.command === command).length;

/** The reconcilers' repair counters, as GET /metrics shows them. */
async function repairs(): Promise<{ wait_fired: number; wait_restored: number; tool_restored: number }> {
  const res = await fetch(`http://127.0.0.1:${app!.port}/metrics`);
  const samples = parseExposition(await res.text());
  const metric = 'runbook_bot_reconciler_repairs_total';
  return {
    wait_fired: valueOf(samples, metric, { reconciler: 'waits', action: 'fired' }),
    wait_restored: valueOf(samples, metric, { reconciler: 'waits', action: 'restored' }),
    tool_restored: valueOf(samples, metric, { reconciler: 'tool_calls', action: 'restored' }),
  };
}

/** Swallows console.error and console.warn until restore(), which says how many lines it kept back. */
function silenceConsole(): { restore(): number } {
  let lines = 0;
  const spies = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')].map((spy) => spy.mockImplementation(() => void (lines += 1)));
  return {
    restore() {
      for (const spy of spies) spy.mockRestore();
      return lines;
    },
  };
}


beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'runbook-bot-redis-restart-'));
  redis = await startRedisServer();
  fake = await startFakeSlack();
  // FAULTS_APP_LOG=FILE keeps the bot's log (info and up) for a look after a failure.
  const appLog = process.env.FAULTS_APP_LOG;
  const logger = appLog ? createLogger('info', (line) => appendFileSync(appLog, `${line}\n`)) : silentLogger;
  app = await startApp({ config: config(redis.url, fake.apiUrl), logger, queuePrefix: prefix, builtinPlaybooks: false });
});

/**
 * `runbook-bot runner` as its own process (as test/support/runner-process.ts starts it, but
 * held from the moment it is spawned, so afterAll ends it even when its start timed out).
 * It gets Redis, its credential and no database.
 */
async function startRunner(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env, MONGODB_URI: 'mongodb://127.0.0.1:1/no-database-for-runners' };
  for (const name of Object.keys(full)) if (name.startsWith('SLACK_')) delete full[name];
  const child = spawn(process.execPath, ['bin/runbook-bot.mjs', 'runner', ...args], { env: full, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  runner = { child, exited: new Promise((resolve) => child.once('exit', () => resolve())), output: () => output };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`the runner exited (${code}) before starting:\n${output}`)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('"msg":"runner started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

afterAll(async () => {
  if (runner?.child.pid !== undefined && runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill('SIGKILL');
  await runner?.exited;
  if (app) {
    // A bot whose Redis is gone may not finish stopping: bounded.
    await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
  }
  await fake?.close();
  await redis?.kill();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 60_000);

describe('Redis restarted with nothing persisted', () => {
  it('fires each of 1,000 pending waits once and runs each of 100 pending tool calls once after the reconcile', async () => {
    const t0 = Date.now();
    const waitRunbook = (seconds: number) => publish({ name: `Settle ${seconds} s`, steps: [{ label: 'Settle', type: 'wait', wait_seconds: seconds }, { label: 'Go on' }] });
    const early = await waitRunbook(EARLY_SECONDS);
    const late = await waitRunbook(LATE_SECONDS);
    const toolRunbook = await publish({
      name: 'Probe once',
      audience: 'agentic',
      variables: [{ name: 'deviceId', required: true }, { name: 'tag', required: true }],
      steps: [{ label: 'Probe', type: 'diagnose', tool: 'fault_probe', tool_input: { tag: '{{tag}}' }, timeout_seconds: 900 }],
    });

    // A device whose runner registered and then went quiet: online, so runs may start on it,
    // but nobody takes its calls until a runner starts again.
    const { credential } = await createDeviceCredentialStore(app!.db.conn).enroll(DEVICE, actor);
    await createDeviceStore(app!.db.conn).register({
      id: DEVICE,
      hostname: 'fault-host',
      os: { platform: 'linux', release: '6', arch: 'x64' },
      tags: [],
      tools: ['fault_probe'],
      runner_version: 'test',
      session: 'gone-runner',
      pid: 1,
    });

    const toolRuns = await inBatches(TOOL_CALLS, 25, (i) =>
      app!.service.start({ runbook: toolRunbook, variables: { deviceId: DEVICE, tag: `tag-${String(i).padStart(3, '0')}` }, actor }),
    );
    const waitRuns = [
      ...(await inBatches(OVERDUE, 50, () => app!.service.start({ runbook: early, actor }))),
      ...(await inBatches(WAITS - OVERDUE, 50, () => app!.service.start({ runbook: late, actor }))),
    ];
    const created = Date.now();
    note(`created ${TOOL_CALLS} tool runs and ${WAITS} wait runs in ${created - t0} ms`);
    const dues = (seconds: number) => waitRuns.filter((r) => r.runbook.steps[0]?.wait_seconds === seconds).map((r) => r.wait!.due_at);
    const firstDue = Math.min(...dues(EARLY_SECONDS));
    const lastEarlyDue = Math.max(...dues(EARLY_SECONDS));
    const lastDue = Math.max(...dues(LATE_SECONDS));

    // Pending when Redis dies: every wait is ahead and queued, every call queued and unanswered.
    const store = createRunStore(app!.db.conn);
    expect(waitRuns.every((r) => r.status === 'waiting')).toBe(true);
    expect(firstDue).toBeGreaterThan(Date.now() + 2_000);
    expect(toolRuns.every((r) => r.status === 'running' && r.steps[0]?.tool_running)).toBe(true);
    expect(await queueCounts(redis!.url)).toEqual({ waitsDelayed: WAITS, callsWaiting: TOOL_CALLS });
    const before = await repairs();

    // Killed outright; an empty one starts on the same port once every early wait is overdue.
    // Meanwhile the bot's Redis clients print each failed reconnect (console): kept out of
    // the test's output, and counted.
    const printed = silenceConsole();
    try {
      await redis!.kill();
      note(`redis killed at +${Date.now() - t0} ms`);
      await new Promise((r) => setTimeout(r, Math.max(2_000, lastEarlyDue + 500 - Date.now())));
      redis = await startRedisServer(redis!.port);
      const restarted = Date.now();
      note(`redis restarted at +${restarted - t0} ms; early waits overdue by ${restarted - lastEarlyDue}–${restarted - firstDue} ms, late ones due in ${Math.min(...dues(LATE_SECONDS)) - restarted}–${lastDue - restarted} ms`);
      // The reconcile puts the calls back on the device's queue (nobody takes them yet).
      await until('the reconciler put the tool calls back', async () => (await queueCounts(redis!.url)).callsWaiting === TOOL_CALLS, 30_000, async () => JSON.stringify(await queueCounts(redis!.url)));
    } finally {
      note(`${printed.restore()} console lines from Redis clients while it was down`);
    }
    note(`calls back in the device queue at +${Date.now() - t0} ms`);
    // One pass put back every call Redis lost, and the next ones found them there.
    await until('the repairs were counted', async () => (await repairs()).tool_restored - before.tool_restored >= TOOL_CALLS, 10_000);
    await new Promise((r) => setTimeout(r, 2 * RECONCILE_MS));
    expect((await repairs()).tool_restored - before.tool_restored).toBe(TOOL_CALLS);

    // The device's runner starts again (while the late waits are still ahead): every call runs.
    const config = join(workDir, 'runner.yaml');
    const probeLog = join(workDir, 'probe.log');
    await writeFile(config, `custom_tools: [${JSON.stringify(PROBE_TOOL)}]\nstate_dir: ${JSON.stringify(join(workDir, 'state'))}\n`);
    await writeFile(probeLog, '');
    await startRunner(['--device-id', DEVICE, '--config', config], { REDIS_URL: redis!.url, QUEUE_PREFIX: prefix, RUNNER_CREDENTIAL: credential, FAULT_PROBE_LOG: probeLog });
    // Every wait fires once it is due: the runs move past it.
    const waitIds = waitRuns.map((r) => r.id);
    await until(
      'every wait fired',
      async () => ((await store.countByStatus()).waiting ?? 0) === 0,
      // The reconciler fires overdue waits one after another (about 20 a second here).
      Math.max(0, lastDue - Date.now()) + 60_000,
      async () => `runs by status: ${JSON.stringify(await store.countByStatus())}; queues: ${JSON.stringify(await queueCounts(redis!.url))}`,
    );
    note(`all waits fired by +${Date.now() - t0} ms (last due at +${lastDue - t0} ms)`);
    // Both repairs happened: the overdue waits, whose timers were lost, could only have been
    // fired by the reconciler; timers still ahead were put back.
    const afterWaits = await repairs();
    note(`reconciler repairs since the restart: ${JSON.stringify(Object.fromEntries(Object.entries(afterWaits).map(([k, v]) => [k, v - before[k as keyof typeof before]])))}`);
    expect(afterWaits.wait_fired - before.wait_fired).toBeGreaterThanOrEqual(OVERDUE);
    expect(afterWaits.wait_restored - before.wait_restored).toBeGreaterThanOrEqual(1);

    const toolIds = toolRuns.map((r) => r.id);
    await until(
      'every tool call ran and its step completed',
      async () => ((await store.countByStatus()).completed ?? 0) === TOOL_CALLS,
      60_000,
      async () => `runs by status: ${JSON.stringify(await store.countByStatus())}`,
    );
    note(`all tool runs completed by +${Date.now() - t0} ms`);

    // A few more reconcile passes: nothing fires or runs a second time.
    await new Promise((r) => setTimeout(r, 3 * RECONCILE_MS));

    // Each run's trail (run_events, one event per applied command) has one wait_elapsed. One
    // aggregate: a trail read per run would scan the events 1,000 times on FerretDB.
    const fired = await app!.db.conn
      .collection('run_events')
      .aggregate<{ _id: string; n: number }>([{ $match: { command: 'wait_elapsed' } }, { $group: { _id: '$run_id', n: { $sum: 1 } } }])
      .toArray();
    note(`events aggregated at +${Date.now() - t0} ms`);
    const firedBy = new Map(fired.map((f) => [f._id, f.n]));
    expect(waitIds.filter((id) => firedBy.get(id) !== 1).map((id) => `${id}: ${firedBy.get(id) ?? 0}`)).toEqual([]);
    expect(fired.length).toBe(WAITS);
    const waitFinal = await inBatches(WAITS, 50, (i) => store.load(waitIds[i]!));
    expect(waitFinal.filter((r) => r.audit_seq !== 2).map((r) => `${r.id}: ${r.audit_seq} commands`)).toEqual([]);
    note(`wait runs loaded at +${Date.now() - t0} ms`);
    const notMoved = waitFinal.filter((r: Run) => r.status !== 'running' || r.runbook.steps.find((s) => s.id === r.current_step_id)?.label !== 'Go on' || r.steps[0]?.status !== 'completed');
    expect(notMoved.map((r) => `${r.id} ${r.status}`)).toEqual([]);
    // Each fired at or after its due time; how late is noted.
    const dueOf = new Map(waitRuns.map((r) => [r.id, r.wait!.due_at]));
    const lateness = waitFinal.map((r: Run) => (r.steps[0]?.completed_at ?? 0) - dueOf.get(r.id)!);
    expect(lateness.filter((ms) => ms < 0)).toEqual([]);
    const spread = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return `p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`;
    };
    note(`lateness: overdue waits ${spread(lateness.slice(0, OVERDUE))}; waits put back ${spread(lateness.slice(OVERDUE))}`);

    const toolAudits = await inBatches(TOOL_CALLS, 25, (i) => store.audit(toolIds[i]!));
    const toolFinal = await inBatches(TOOL_CALLS, 25, (i) => store.load(toolIds[i]!));
    expect(toolIds.filter((_, i) => count(toolAudits[i]!, 'tool_result') !== 1)).toEqual([]);
    expect(toolFinal.filter((r) => r.steps[0]?.status !== 'completed' || r.steps[0]?.tool_tries !== 1).map((r) => r.id)).toEqual([]);
    expect(toolFinal.map((r) => (r.steps[0]?.tool_output as { tag?: string } | null)?.tag).sort()).toEqual(toolRuns.map((r) => r.variables.tag).sort());

    note(`tool runs and trails read at +${Date.now() - t0} ms`);
    // The tool itself ran once per run, and the device's journal holds one finished call each.
    const lines = (await readFile(probeLog, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(TOOL_CALLS);
    expect(new Set(lines).size).toBe(TOOL_CALLS);
    const journal = await createCallJournal(join(workDir, 'state', DEVICE)).all();
    expect(journal).toHaveLength(TOOL_CALLS);
    for (const run of toolFinal) {
      const step = run.steps[0]!;
      const record = journal.find((r) => r.id === toolCallId(run.id, step.step_id, step.visit, 1));
      expect(record, `journal record for ${run.id}`).toMatchObject({ status: 'succeeded', run_id: run.id });
    }
    note(`journal deliveries: ${JSON.stringify(journal.reduce<Record<number, number>>((by, r) => ({ ...by, [r.deliveries]: (by[r.deliveries] ?? 0) + 1 }), {}))}`);
    if (faultsVerbose) {
      const connection = createRedis(redis!.url);
      const results = new Queue(TOOL_RESULTS_QUEUE, { connection, prefix });
      const answered = runner!.output().split('\n').filter((l) => l.includes('"msg":"tool call answered"'));
      note(`the runner answered ${answered.length} deliveries of ${new Set(answered.map((l) => (JSON.parse(l) as { call_id: string }).call_id)).size} calls`);
      note(`tool results queue at the end: ${JSON.stringify(await results.getJobCounts())}`);
      await results.close();
      connection.disconnect();
    }
    note(`done at +${Date.now() - t0} ms`);
  }, 300_000);
});
