// The sandbox's demo device end to end: the service in sandbox mode starts a real runner on
// a scratch folder, and the built-in playbooks and the rollback example run on it from the
// composer and the alert card, their tools acting on that folder and the services it started.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { ActionId, INPUT_ACTION_ID } from '../../src/bot/slack-ids.js';
import type { Run } from '../../src/engine/types.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { createDeviceStore } from '../../src/models/device-store.js';
import { createRunStore } from '../../src/models/run-store.js';
import { isAlive } from '../../src/runner/tools/process-control.js';
import { DEMO_DEVICE_ID } from '../../src/sandbox/demo/demo-device.js';
import { ROLLBACK_RUNBOOK } from '../../src/sandbox/example-runbook.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { buttonOf, messages, sandboxPage, type PageMessage, type SandboxStream } from '../support/sandbox-page.js';
import { promoteWaits } from '../support/waits.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const CHANNEL = 'C0OPS';
let app: App;
let base: string;
let alice: SandboxStream;
const { openStream, post } = sandboxPage(() => base);

/** The card's Run button (a section accessory), as its value. */
const runButtonOf = (message: PageMessage) => message.blocks?.find((b) => b.accessory?.action_id === ActionId.AlertRun)?.accessory?.value;
const runIdOf = (message: PageMessage) => JSON.parse(buttonOf(message, ActionId.Cancel)!.value!).r as string;
const load = (id: string) => createRunStore(app.db.conn).load(id);
const outputOf = (run: Run, label: string) => run.steps.find((s) => run.runbook.steps.find((d) => d.id === s.step_id)?.label === label)!.tool_output as Record<string, unknown>;
const statusOf = (run: Run, label: string) => run.steps.find((s) => run.runbook.steps.find((d) => d.id === s.step_id)?.label === label)!.status;

/** Starts `text` from the composer as Alice; the new run's message, read from her page. */
async function start(text: string): Promise<PageMessage> {
  const seen = new Set(messages(alice.events).map((m) => m.ts));
  expect((await post('command', { user: 'U0ALICE', channel: CHANNEL, text })).status).toBe(200);
  return alice.waitFor((events) => messages(events).find((m) => !seen.has(m.ts) && !m.thread_ts && buttonOf(m, ActionId.Cancel)));
}

async function finished(id: string): Promise<Run> {
  return vi.waitFor(
    async () => {
      const run = await load(id);
      if (!['completed', 'failed', 'rolled_back', 'cancelled'].includes(run.status)) throw new Error(`run is ${run.status}`);
      return run;
    },
    { timeout: 30_000, interval: 100 },
  );
}

beforeAll(async () => {
  app = await startApp({
    config: testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { slackMode: 'sandbox' }),
    logger: silentLogger,
    queuePrefix: redis.prefix(),
  });
  base = `http://127.0.0.1:${app.port}/sandbox`;
  alice = await openStream('U0ALICE', 1_000);
}, 60_000);

afterAll(async () => {
  alice?.close();
  await app?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

const env = () => ({ REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix() });

describe('the sandbox demo device', () => {
  it('is an online device that the welcome message points to', async () => {
    const device = await createDeviceStore(app.db.conn).get(DEMO_DEVICE_ID);
    expect(device).toMatchObject({ id: DEMO_DEVICE_ID, status: 'online', hostname: DEMO_DEVICE_ID, tags: ['demo'] });
    expect(device!.tools).toEqual(expect.arrayContaining(['disk_cleanup', 'manage_services', 'analyze_metrics']));
    const state = (await (await fetch(`${base}/api/state`)).json()) as { messages: PageMessage[] };
    expect(state.messages[0]!.text).toContain(`/runbook start Disk Cleanup deviceId=${DEMO_DEVICE_ID}`);
  });

  it('runs Disk Cleanup for real: a full disk measured, old files deleted, recent ones kept, the verify passing', async () => {
    const message = await start(`start Disk Cleanup deviceId=${DEMO_DEVICE_ID}`);
    const id = runIdOf(message);
    await promoteWaits(env(), id);
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(outputOf(run, 'Capture baseline disk usage').disk_usage_percent).toBeGreaterThanOrEqual(90);
    const preview = outputOf(run, 'Preview safe cleanup candidates');
    const paths = (preview.candidates as Array<{ path: string }>).map((c) => c.path);
    // Paths as the device shows them: its folder is its "/".
    expect(paths).toContain('/tmp/build-1842/bundle.tar');
    expect(paths).not.toContain('/tmp/session.lock');
    expect(outputOf(run, 'Execute cleanup')).toMatchObject({ files_deleted: paths.length, error_count: 0 });
    expect(outputOf(run, 'Verify disk usage improved').disk_usage_percent).toBeLessThan(90);
    expect(statusOf(run, 'Verify disk usage improved')).toBe('completed');
  });

  it('runs Memory Pressure Relief for real: the leaking cache restarted, RAM back under 85%', async () => {
    const message = await start(`start Memory Pressure Relief deviceId=${DEMO_DEVICE_ID} serviceName=cache`);
    const id = runIdOf(message);
    await promoteWaits(env(), id);
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(outputOf(run, 'Capture baseline memory metrics').ram_usage_percent).toBeGreaterThanOrEqual(85);
    expect(outputOf(run, 'Restart memory-heavy service')).toMatchObject({ service: 'cache', service_status: 'running', manager: 'runner' });
    expect(outputOf(run, 'Verify memory improved').ram_usage_percent).toBeLessThan(85);
  });

  it('rolls the broken release back: the verify fails, the rollback steps run in reverse, web runs again', async () => {
    const message = await start(`start ${ROLLBACK_RUNBOOK}`);
    const run = await finished(runIdOf(message));
    expect(run.status).toBe('rolled_back');
    expect(run.rollback_executed).toBe(true);
    expect(outputOf(run, 'Start release v2')).toMatchObject({ service: 'web-v2', service_status: 'failed' });
    expect(statusOf(run, 'Verify v2 is running')).toBe('failed');
    const order = run.steps.filter((s) => s.completed_at !== null).sort((a, b) => a.completed_at! - b.completed_at!);
    const labels = order.map((s) => run.runbook.steps.find((d) => d.id === s.step_id)!.label);
    expect(labels.slice(-2)).toEqual(['Stop release v2', 'Start release v1 again']);
    expect(outputOf(run, 'Start release v1 again')).toMatchObject({ service: 'web', service_status: 'running' });
  });

  it('answers the sample alert: web has crashed, the card runs Service Restart, which finds it failed and brings it back', async () => {
    expect((await post('alert', { channel: CHANNEL })).status).toBe(200);
    const card = await alice.waitFor((events) => messages(events).find((m) => m.thread_ts !== undefined && runButtonOf(m)));
    const seen = new Set(messages(alice.events).map((m) => m.ts));
    const act = { user: 'U0ALICE', channel: CHANNEL, message_ts: card.ts, action_id: ActionId.AlertRun, block_id: card.blocks!.find((b) => b.accessory)!.block_id, value: runButtonOf(card) };
    expect((await post('action', act)).status).toBe(200);
    // A Slack message names label values, not labels: the inputs modal asks for the device and the service.
    const opened = await alice.waitFor((events) => events.find((e) => e.type === 'view') as { view: { id: string; view: { blocks: Array<{ block_id?: string }> } } } | undefined);
    const asked = opened.view.view.blocks.map((b) => b.block_id).filter((id) => id?.startsWith('var:'));
    expect(asked).toEqual(['var:deviceId', 'var:serviceName']);
    const input = (value: string) => ({ [INPUT_ACTION_ID]: { type: 'plain_text_input', value } });
    const values = { 'var:deviceId': input(DEMO_DEVICE_ID), 'var:serviceName': input('web') };
    expect((await post('submit', { user: 'U0ALICE', view_id: opened.view.id, values })).status).toBe(200);
    // The run's message goes in the alert's thread.
    const live = await alice.waitFor((events) => messages(events).find((m) => !seen.has(m.ts) && buttonOf(m, ActionId.Cancel)));
    expect(live.thread_ts).toBe(card.thread_ts);
    const id = runIdOf(live);
    await promoteWaits(env(), id);
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ deviceId: DEMO_DEVICE_ID, serviceName: 'web' });
    expect(outputOf(done, 'Check current service status').service_status).toBe('failed');
    expect(outputOf(done, 'Verify service health').service_status).toBe('running');
  });

  it('refuses what is not on the device: a service the runner does not manage goes nowhere near systemd', async () => {
    const message = await start(`start Service Restart deviceId=${DEMO_DEVICE_ID} serviceName=nginx`);
    const run = await finished(runIdOf(message));
    expect(run.status).toBe('failed');
    expect(run.steps[0]!.error).toMatch(/unknown service "nginx": not declared in the runner config \(it declares web, cache, web-v2\) and systemd is not available here/);
  });

  it('leaves nothing behind when the service stops: its services end and its folder goes', async () => {
    const device = await createDeviceStore(app.db.conn).get(DEMO_DEVICE_ID);
    expect(device?.status).toBe('online');
    const root = app.demo!.root;
    const pids = await Promise.all(['web', 'cache'].map(async (s) => Number((await readFile(join(root, 'run', `${s}.pid`), 'utf8')).trim())));
    await app.stop();
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
    await expect(access(root)).rejects.toThrow(/ENOENT/);
  });
});
