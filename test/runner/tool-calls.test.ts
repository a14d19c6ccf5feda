// Tool steps end to end inside one process: the bot's app (Slack off) sends calls over
// BullMQ to a runner started here with the real built-in tools, and applies the results.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import type { Config } from '../../src/config/env.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import type { Run } from '../../src/engine/index.js';
import { createRedis } from '../../src/jobs/redis.js';
import { finishedJob } from '../../src/jobs/runner-events.js';
import { TOOL_RESULTS_QUEUE, toolCallId } from '../../src/jobs/tool-queue.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { createDeviceStore } from '../../src/models/device-store.js';
import { createDeviceCredentialStore, enrollInProcess } from '../../src/models/device-credential-store.js';
import { createCallJournal, type CallJournal } from '../../src/runner/call-journal.js';
import { createDeviceKeyPair, parseDeviceCredential, signResult } from '../../src/runner/device-credential.js';
import { parseRunnerConfig } from '../../src/runner/runner-config.js';
import { startRunner, type Runner } from '../../src/runner/runner.js';
import { createToolRegistry } from '../../src/runner/tool-registry.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { deleteKeysUnder, useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const alice = { kind: 'slack' as const, id: 'U0ALICE' };
const config = (): Config => testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { deviceHeartbeatMs: 1_000 });

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});
const stateRoot = mkdtempSync(join(tmpdir(), 'runbook-bot-tool-calls-'));
afterAll(async () => {
  await rm(stateRoot, { recursive: true, force: true });
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

async function startBot(): Promise<App> {
  const app = await startApp({ config: config(), logger: silentLogger, queuePrefix: redis.prefix(), builtinPlaybooks: false });
  closers.push(() => app.stop());
  return app;
}

/** The device's own call journal: one folder per device id, kept across its runner's restarts. */
async function journalOf(deviceId: string): Promise<CallJournal> {
  const dir = join(stateRoot, deviceId);
  await mkdir(dir, { recursive: true });
  return createCallJournal(dir);
}

async function startDevice(app: App, deviceId: string): Promise<Runner> {
  const runnerConfig = parseRunnerConfig({ run_command: { allow: [process.execPath] } }, process.cwd());
  const connection = createRedis(redis.url);
  const workerConnection = createRedis(redis.url, { forWorker: true });
  const runner = await startRunner({
    credential: await enrollInProcess(createDeviceCredentialStore(app.db.conn), deviceId, { kind: 'cli', id: 'tester' }),
    tags: ['web'],
    config: runnerConfig,
    registry: await createToolRegistry(runnerConfig),
    journal: await journalOf(deviceId),
    connection,
    workerConnection,
    prefix: redis.prefix(),
    heartbeatMs: 1_000,
  });
  closers.push(async () => {
    await runner.stop();
    connection.disconnect();
    workerConnection.disconnect();
  });
  return runner;
}

/** A device whose runner registered and then went quiet (killed): online until its heartbeats are missed. */
async function registerSilentDevice(app: App, deviceId: string): Promise<void> {
  await createDeviceStore(app.db.conn).register({
    id: deviceId,
    hostname: 'gone',
    os: { platform: 'linux', release: '6', arch: 'x64' },
    tags: [],
    tools: [],
    runner_version: 'test',
    session: 'killed-runner',
    pid: 1,
  });
}

/** A local HTTP server answering each request with the next status of `statuses` (then the last). */
async function statusServer(statuses: number[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    const status = statuses[Math.min(hits, statuses.length - 1)] as number;
    hits += 1;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, hits: () => hits };
}

async function publish(app: App, definition: Record<string, unknown>): Promise<string> {
  const parsed = parseDefinition({ audience: 'agentic', variables: [{ name: 'deviceId', required: true }], ...definition });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await app.runbooks.save({ source: parsed.source, author: alice, publish: true });
  return definition.name as string;
}

async function until(app: App, runId: string, ok: (run: Run) => boolean, timeoutMs = 15_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await app.service.get(runId);
    if (ok(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out; run is ${run.status} at ${run.current_step_id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finished = (run: Run) => ['completed', 'failed', 'rolled_back', 'cancelled'].includes(run.status);
const echo = (text: string) => ({ command: process.execPath, args: ['-e', 'process.stdout.write(process.argv[1])', text] });

describe('tool steps on a device runner', () => {
  it('runs each tool step on the device and records input, output and timing', async () => {
    const app = await startBot();
    await startDevice(app, 'web-01');
    const health = await statusServer([200]);
    const name = await publish(app, {
      name: 'Echo and check',
      variables: [{ name: 'deviceId', required: true }, { name: 'note', required: true }, { name: 'url', required: true }],
      steps: [
        { label: 'Say it', type: 'diagnose', tool: 'run_command', tool_input: echo('{{note}} on {{deviceId}}') },
        { label: 'Healthy?', type: 'verify', tool: 'http_check', tool_input: { url: '{{url}}' }, verify: { metric: 'status', operator: 'eq', value: 200 } },
      ],
    });
    // Shell syntax in a variable reaches the program as one literal argument.
    const note = '$(touch /tmp/pwned); `id`';
    const started = await app.service.start({ runbook: name, variables: { deviceId: 'web-01', note, url: health.url }, actor: alice });
    const run = await until(app, started.id, finished);

    expect(run.status).toBe('completed');
    const [say, check] = run.steps;
    expect(say).toMatchObject({ status: 'completed', tool_input: { args: ['-e', expect.any(String), `${note} on web-01`] } });
    expect(say?.tool_output).toMatchObject({ exit_code: 0, stdout: `${note} on web-01` });
    expect(check).toMatchObject({ status: 'completed', outcome: 'pass', tool_output: { status: 200, ok: true } });
    expect(check?.duration_ms).toBeGreaterThanOrEqual(0);
    const audit = await app.service.audit(run.id);
    expect(audit.filter((e) => e.command === 'tool_result').map((e) => e.actor.id)).toEqual(['runner:web-01', 'runner:web-01']);

    // The device's own journal has it, on the device's disk.
    const record = await (await journalOf('web-01')).get(toolCallId(run.id, say!.step_id, say!.visit, 1));
    expect(record).toMatchObject({ device_id: 'web-01', tool: 'run_command', status: 'succeeded', deliveries: 1 });
  });

  it('re-runs a verify until it passes, each try a call of its own', async () => {
    const app = await startBot();
    await startDevice(app, 'web-02');
    const health = await statusServer([503, 503, 200]);
    const name = await publish(app, {
      name: 'Wait for healthy',
      variables: [{ name: 'deviceId', required: true }, { name: 'url', required: true }],
      steps: [
        {
          label: 'Healthy?',
          type: 'verify',
          tool: 'http_check',
          tool_input: { url: '{{url}}' },
          verify: { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 1, timeout_seconds: 20 } },
        },
      ],
    });
    const started = await app.service.start({ runbook: name, variables: { deviceId: 'web-02', url: health.url }, actor: alice });
    const run = await until(app, started.id, finished);
    expect(run.status).toBe('completed');
    expect(health.hits()).toBe(3);
    expect(run.steps[0]).toMatchObject({ outcome: 'pass', tool_tries: 3, tool_output: { status: 200 } });
  });

  it('fails the step when no runner answers within timeout_seconds, and on_failure applies', async () => {
    const app = await startBot();
    const name = await publish(app, {
      name: 'Nobody home',
      steps: [
        { label: 'Look', type: 'diagnose', tool: 'analyze_metrics', timeout_seconds: 1, on_failure: 'continue' },
        { label: 'Look again', type: 'diagnose', tool: 'analyze_metrics', timeout_seconds: 1 },
      ],
    });
    await registerSilentDevice(app, 'ghost-01');
    const started = await app.service.start({ runbook: name, variables: { deviceId: 'ghost-01' }, actor: alice });
    const run = await until(app, started.id, finished);
    expect(run.status).toBe('failed');
    expect(run.steps.map((s) => [s.status, s.error])).toEqual([
      ['failed', 'device ghost-01 did not answer in 1 s'],
      ['failed', 'device ghost-01 did not answer in 1 s'],
    ]);
    expect(run.error_message).toBe('step "Look again" failed: device ghost-01 did not answer in 1 s');
  });

  it('never runs an act again after its runner restarted in the middle of it, but re-runs a diagnose', async () => {
    const app = await startBot();
    const name = await publish(app, {
      name: 'Act once',
      steps: [
        { label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('looked') },
        { label: 'Change', type: 'act', tool: 'run_command', tool_input: echo('changed') },
      ],
    });
    await registerSilentDevice(app, 'web-03');
    const started = await app.service.start({ runbook: name, variables: { deviceId: 'web-03' }, actor: alice });
    const [look, change] = started.steps;
    // As a runner that died mid-call leaves the device's journal: both calls begun, neither finished.
    const calls = await journalOf('web-03');
    for (const [step, type] of [[look!, 'diagnose'], [change!, 'act']] as const) {
      const visit = step.step_id === look!.step_id ? 1 : 2;
      await calls.begin({ id: toolCallId(started.id, step.step_id, visit, 1), run_id: started.id, step_id: step.step_id, visit, try: 1, step_type: type, device_id: 'web-03', tool: 'run_command', input: {} });
    }
    await startDevice(app, 'web-03');
    const run = await until(app, started.id, finished);

    expect(run.steps[0]).toMatchObject({ status: 'completed', tool_output: { stdout: 'looked' } });
    expect(run.status).toBe('failed');
    expect(run.steps[1]?.error).toBe(
      '"run_command" was already started on web-03 by a delivery that never reported back (its runner restarted, or the queue lost the call), and act steps are never run twice: check the device, then retry the step',
    );
    expect(await calls.get(toolCallId(started.id, change!.step_id, 2, 1))).toMatchObject({ status: 'failed', deliveries: 2 });
  });

  it('applies a result only from the device the call was sent to, signed with its current credential, or sealed by the bot; forgeries change nothing', async () => {
    const app = await startBot();
    const name = await publish(app, { name: 'Signed answers', steps: [{ label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('x'), timeout_seconds: 60 }] });
    const credentials = createDeviceCredentialStore(app.db.conn);
    const web05 = await enrollInProcess(credentials, 'web-05', alice);
    const web06 = await enrollInProcess(credentials, 'web-06', alice);
    const unenrolled = parseDeviceCredential(createDeviceKeyPair('web-07').credential);
    for (const id of ['web-05', 'web-07']) await registerSilentDevice(app, id);
    const results = new Queue(TOOL_RESULTS_QUEUE, { connection: createRedis(redis.url), prefix: redis.prefix() });
    closers.push(() => results.close());
    /** Sends a result as a runner would and waits for the bot's verdict on it. */
    const send = async (job: Record<string, unknown>): Promise<unknown> => {
      const sent = await results.add('result', job, { jobId: `sent-${randomUUID()}` });
      const done = await finishedJob(results, sent.id!, 5_000);
      if (!done) throw new Error('the result was not processed');
      return done.returnvalue;
    };
    const answerFor = (run: Run, deviceId: string) => {
      const step = run.steps[0]!;
      return { callId: toolCallId(run.id, step.step_id, 1, 1), runId: run.id, stepId: step.step_id, visit: 1, try: 1, deviceId, ok: true, output: { stdout: 'from the device' }, error: null };
    };

    const started = await app.service.start({ runbook: name, variables: { deviceId: 'web-05' }, actor: alice });
    const answer = answerFor(started, 'web-05');
    const before = await app.service.get(started.id);
    const forgeries = [
      { ...answer, source: 'runner' },
      { ...answer, source: 'runner', signature: signResult(web06, answer) },
      { ...answer, deviceId: 'web-06', source: 'runner', signature: signResult(web06, { ...answer, deviceId: 'web-06' }) },
      { ...answer, output: { stdout: 'tampered' }, source: 'runner', signature: signResult(web05, answer) },
      // Anyone with the Redis password posing as the bot's own "did not answer".
      { ...answer, ok: false, output: null, error: 'device web-05 did not answer in 1 s', source: 'timeout' },
      { ...answer, ok: false, output: null, error: 'device web-05 did not answer in 1 s', source: 'timeout', signature: signResult(web05, answer) },
    ];
    for (const forged of forgeries) expect(await send(forged)).toBe('refused');
    expect(await app.service.get(started.id)).toEqual(before);

    expect(await send({ ...answer, source: 'runner', signature: signResult(web05, answer) })).toBe('applied');
    const run = await until(app, started.id, finished);
    expect(run.steps[0]).toMatchObject({ status: 'completed', tool_output: { stdout: 'from the device' } });

    // A device nobody enrolled cannot answer its own calls either.
    const orphan = await app.service.start({ runbook: name, variables: { deviceId: 'web-07' }, actor: alice });
    const orphanAnswer = answerFor(orphan, 'web-07');
    expect(await send({ ...orphanAnswer, source: 'runner', signature: signResult(unenrolled, orphanAnswer) })).toBe('refused');
    expect((await app.service.get(orphan.id)).steps[0]).toMatchObject({ status: 'active', tool_output: null });
  });

  it('sends a call again after Redis lost it, once the bot restarts', async () => {
    const app = await startBot();
    const name = await publish(app, {
      name: 'Lost call',
      steps: [{ label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('once') }],
    });
    await registerSilentDevice(app, 'web-04');
    const started = await app.service.start({ runbook: name, variables: { deviceId: 'web-04' }, actor: alice });
    // Redis forgets everything (the call and its timeout) before any runner took the call.
    await deleteKeysUnder(redis.redis(), redis.prefix());
    await app.stop();
    closers.pop();
    const restarted = await startBot();
    await startDevice(restarted, 'web-04');
    const run = await until(restarted, started.id, finished);
    expect(run).toMatchObject({ status: 'completed' });
    expect(run.steps[0]?.tool_output).toMatchObject({ stdout: 'once' });
  });

  it('refuses to start on a device that is unknown, offline, or not given', async () => {
    const app = await startBot();
    const runner = await startDevice(app, 'web-06');
    const name = await publish(app, { name: 'Needs a device', steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }] });
    await runner.stop();
    const start = (variables: Record<string, string>) => app.service.start({ runbook: name, variables, actor: alice });
    await expect(start({ deviceId: 'web-99' })).rejects.toThrow(
      'device web-99 is not known: no runner has registered it (start one there with `runbook-bot runner --device-id web-99`)',
    );
    await expect(start({ deviceId: 'web-06' })).rejects.toThrow(/^device web-06 is offline: its runner stopped at \d{4}-\d\d-\d\dT/);
    await expect(start({})).rejects.toThrow('“Needs a device” runs tools on a device: say which one with its id (deviceId; device=ID in Slack)');
    // A default counts as given.
    const defaulted = await publish(app, {
      name: 'Device by default',
      variables: [{ name: 'deviceId', default: 'web-77' }],
      steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }],
    });
    await expect(app.service.start({ runbook: defaulted, actor: alice })).rejects.toThrow('device web-77 is not known');
    expect((await app.service.list({ limit: 100 })).filter((r) => r.runbook_name === name)).toEqual([]);
  });

  it('shows a device online while its runner beats, and offline once it stops', async () => {
    const app = await startBot();
    const runner = await startDevice(app, 'web-05');
    const devices = createDeviceStore(app.db.conn, { heartbeatMs: 1_000 });
    expect(await devices.get('web-05')).toMatchObject({ status: 'online', tags: ['web'], tools: expect.arrayContaining(['disk_cleanup', 'run_command']) });
    await runner.stop();
    expect(await devices.get('web-05')).toMatchObject({ status: 'offline' });
    expect(await devices.get('nope')).toBeNull();
  });
});
