// Playbooks on devices end to end: the bot (Bolt over HTTP, MongoDB, BullMQ) with Slack faked
// at its HTTP boundary, and `runbook-bot runner` as a real process serving a device whose
// tools act on a sandbox of this machine.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { Run } from '../../src/engine/index.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { createCallJournal } from '../../src/runner/call-journal.js';
import { freePort } from '../support/service-process.js';
import { killQuietly, startRunnerProcess, type RunnerProcess } from '../support/runner-process.js';
import { promoteWaits } from '../support/waits.js';
import { DEFAULT_CHANNEL, DEFAULT_USER, fakeTriggerId } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { startRun, textOf } from './support/run-message.js';
import { runIdIn, submitInputs } from './support/slack-ui.js';

const rig = useBotRig({ builtinPlaybooks: {} });
const DEVICE = 'web-01';
const BOB = { id: 'U0BOB', name: 'bob' };
const HOUR = 3600_000;

let sandbox = '';
let runner: RunnerProcess;
let servicePort = 0;
const cleanups: Array<() => Promise<unknown>> = [];

const SERVICE_SCRIPT = `
import { createServer } from 'node:http';
createServer((req, res) => res.end(String(process.pid))).listen(Number(process.argv[2]), '127.0.0.1');
`;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'runbook-bot-playbooks-'));
  servicePort = await freePort();
  await writeFile(join(sandbox, 'service.mjs'), SERVICE_SCRIPT);
  await writeFile(
    join(sandbox, 'runner.yaml'),
    [
      `state_dir: ${join(sandbox, 'state')}`,
      'cleanup:',
      `  temp: [${join(sandbox, 'tmp')}]`,
      `  trash: [${join(sandbox, 'trash')}]`,
      'services:',
      '  web:',
      `    start: [${process.execPath}, ${join(sandbox, 'service.mjs')}, "${servicePort}"]`,
      `    pid_file: ${join(sandbox, 'web.pid')}`,
      'run_command:',
      `  allow: [${process.execPath}]`,
    ].join('\n'),
  );
  // The built-ins ask for devices:read and devices:execute; the test user holds both.
  await createPermissionStore(rig().app.db.conn).grant(DEFAULT_USER.id, ['devices:*'], { kind: 'cli', id: 'admin' });
  runner = await startRunnerProcess(['--device-id', DEVICE, '--tags', 'web,prod', '--config', join(sandbox, 'runner.yaml')], rig().env);
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  // The declared service outlives the runner on purpose (as a real one would): stop it.
  killQuietly(-Number(await readFile(join(sandbox, 'web.pid'), 'utf8').catch(() => 'NaN')));
  await rm(sandbox, { recursive: true, force: true });
});

async function until(runId: string, ok: (run: Run) => boolean, timeoutMs = 20_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await rig().app.service.get(runId);
    if (ok(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out; run is ${run.status} at ${run.current_step_id}: ${run.error_message ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const finished = (run: Run) => ['completed', 'failed', 'rolled_back', 'cancelled'].includes(run.status);

/** Fires a run's wait now instead of in 30 s: the delayed job is promoted; the engine applies it as when due. */
async function fireWaitNow(runId: string): Promise<void> {
  await until(runId, (run) => run.status === 'waiting');
  await promoteWaits(rig().env, runId);
}

async function statusServer(statuses: number[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    res.writeHead(statuses[Math.min(hits, statuses.length - 1)] as number).end();
    hits += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits: () => hits };
}

const agentic = (name: string, steps: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  audience: 'agentic',
  variables: [{ name: 'deviceId', required: true }],
  steps,
  ...extra,
});
const echo = (text: string) => ({ command: process.execPath, args: ['-e', 'process.stdout.write(process.argv[1])', text] });

describe('built-in playbooks on a device runner', () => {
  it('Disk Cleanup deletes old files in the configured roots only, and completes with its verify result shown', async () => {
    const tmp = join(sandbox, 'tmp');
    const outside = join(sandbox, 'outside');
    await mkdir(tmp, { recursive: true });
    await mkdir(join(sandbox, 'trash'), { recursive: true });
    await mkdir(outside, { recursive: true });
    const old = new Date(Date.now() - 48 * HOUR);
    for (const file of [join(tmp, 'old.log'), join(sandbox, 'trash', 'old.bin'), join(outside, 'keep.txt')]) {
      await writeFile(file, 'x'.repeat(4096));
      await utimes(file, old, old);
    }
    await writeFile(join(tmp, 'new.log'), 'fresh');
    await symlink(outside, join(tmp, 'link-out'));

    const live = await startRun(rig, `Disk Cleanup device=${DEVICE} path=${sandbox}`);
    await fireWaitNow(live.runId);
    const run = await until(live.runId, finished);

    expect(run.status).toBe('completed');
    const exists = (path: string) => readFile(path).then(() => true, () => false);
    expect(await exists(join(tmp, 'old.log'))).toBe(false);
    expect(await exists(join(sandbox, 'trash', 'old.bin'))).toBe(false);
    expect(await exists(join(tmp, 'new.log'))).toBe(true);
    expect(await exists(join(outside, 'keep.txt'))).toBe(true);
    expect(run.steps[2]?.tool_output).toMatchObject({ bytes_freed: 8192, files_deleted: 2 });

    await rig().app.notifier?.idle();
    expect(live.text()).toMatch(/disk_usage_percent \d+(\.\d)? → \d+(\.\d)? \(< 90 ✓\)/);
    expect(live.labels()).toEqual([]);
    const replies = rig().fake.threadReplies(DEFAULT_CHANNEL.id, live.ts).map((m) => textOf(m));
    expect(replies.some((t) => t.includes('Verify disk usage improved') && t.includes('(< 90 ✓)'))).toBe(true);
  });

  it('Service Restart restarts a declared service: a new pid that answers', async () => {
    const live = await startRun(rig, `Service Restart device=${DEVICE} serviceName=web`);
    await fireWaitNow(live.runId);
    const run = await until(live.runId, finished);

    expect(run.status).toBe('completed');
    const [before, restart, , verify] = run.steps;
    expect(before?.tool_output).toMatchObject({ service: 'web' });
    expect(verify?.tool_output).toMatchObject({ service_status: 'running', manager: 'runner' });
    const pid = (verify?.tool_output as { pid: number }).pid;
    expect(pid).toBe((restart?.tool_output as { pid: number }).pid);
    const answer = await fetch(`http://127.0.0.1:${servicePort}/`).then((r) => r.text());
    expect(Number(answer)).toBe(pid);

    // Restarted again: another process answers.
    const again = await startRun(rig, `Service Restart device=${DEVICE} serviceName=web`);
    await fireWaitNow(again.runId);
    const second = await until(again.runId, finished);
    const newPid = (second.steps[3]?.tool_output as { pid: number }).pid;
    expect(newPid).not.toBe(pid);
    expect(Number(await fetch(`http://127.0.0.1:${servicePort}/`).then((r) => r.text()))).toBe(newPid);
  });
});

describe('built-in playbooks on a device runner (continued)', () => {
  it('Memory Pressure Relief records RAM use, restarts the service and verifies RAM below 85%', async () => {
    const live = await startRun(rig, `Memory Pressure Relief device=${DEVICE} serviceName=web`);
    await fireWaitNow(live.runId);
    const run = await until(live.runId, finished);
    // This machine has memory to spare; the verify reads the real figure.
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ tool_input: { window: '1h' }, tool_output: { ram_usage_percent: expect.any(Number) } });
    expect(run.steps[1]?.tool_output).toMatchObject({ service: 'web', service_status: 'running' });
    // The result's worker stores the run before the notifier renders it: the message follows.
    await vi.waitFor(() => expect(live.text()).toMatch(/ram_usage_percent [\d.]+ → [\d.]+ \(< 85 ✓\)/));
  });
});

describe('tool steps, failures and approvals', () => {
  it('stops at a failed verify with a red banner and Retry', async () => {
    const name = await rig().publish(
      agentic('Impossible check', [
        { label: 'Look', type: 'diagnose', tool: 'analyze_metrics' },
        { label: 'Enough CPUs?', type: 'verify', tool: 'analyze_metrics', verify: { metric: 'cpu_count', operator: 'gt', value: 4096 } },
        { label: 'Never reached', type: 'diagnose', tool: 'analyze_metrics' },
      ]),
    );
    const live = await startRun(rig, `${name} device=${DEVICE}`);
    const run = await until(live.runId, finished);
    expect(run.status).toBe('failed');
    expect(run.error_message).toMatch(/^step "Enough CPUs\?" failed: verify failed: cpu_count = \d+, expected gt 4096$/);
    await vi.waitFor(() => expect(live.text()).toContain('🟥 *Failed:* step "Enough CPUs?" failed'));
    expect(live.labels()).toContain('Retry');
  });

  it('rolls back when an act fails with on_failure rollback: rollback steps in reverse order, status rolled_back', async () => {
    const name = await rig().publish(
      agentic('Roll me back', [
        { label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('look') },
        { label: 'Undo first change', type: 'rollback', tool: 'run_command', tool_input: echo('undo 1') },
        { label: 'Break', type: 'act', tool: 'manage_services', tool_input: { service: 'no-such-service', action: 'restart' }, on_failure: 'rollback' },
        { label: 'Undo second change', type: 'rollback', tool: 'run_command', tool_input: echo('undo 2') },
      ]),
    );
    const live = await startRun(rig, `${name} device=${DEVICE}`);
    const run = await until(live.runId, finished);

    expect(run.status).toBe('rolled_back');
    expect(run.rollback_executed).toBe(true);
    const byLabel = (label: string) => run.steps[run.runbook.steps.findIndex((s) => s.label === label)]!;
    expect(byLabel('Break')).toMatchObject({ status: 'failed', error: expect.stringContaining('this runner may not restart "no-such-service": the runner config neither declares it') });
    expect(byLabel('Undo second change')).toMatchObject({ status: 'completed', tool_output: { stdout: 'undo 2' } });
    expect(byLabel('Undo first change')).toMatchObject({ status: 'completed', tool_output: { stdout: 'undo 1' } });
    expect(byLabel('Undo second change').visit).toBeLessThan(byLabel('Undo first change').visit);
    await rig().app.notifier?.idle();
    expect(live.text()).toContain('↩️ Rollback ran');
  });

  it('asks an approver in Slack before a hybrid act, then runs it', async () => {
    const name = await rig().publish({
      ...agentic('Careful change', [
        { label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('look') },
        { label: 'Change', type: 'act', tool: 'run_command', tool_input: echo('changed'), approvers: [BOB.id] },
      ]),
      audience: 'hybrid',
    });
    const live = await startRun(rig, `${name} device=${DEVICE}`);
    await until(live.runId, (run) => run.steps[1]?.awaiting_approval === true);
    await rig().app.notifier?.idle();
    await vi.waitFor(() => expect(live.labels()).toContain('Approve'));
    expect(live.text()).toContain('Approve running tool `run_command`');

    const refused = await live.clickRefused('Approve');
    expect(refused.answer.body.text).toContain('only U0BOB may approve');
    await live.clickOk('Approve', { user: BOB.id, userName: BOB.name });
    const run = await until(live.runId, finished);
    expect(run.status).toBe('completed');
    expect(run.steps[1]).toMatchObject({ tool_output: { stdout: 'changed' }, actor: { id: BOB.id } });
  });

  it('offers Run tool on a tool step of a human runbook, shows the result, and leaves Done to the person', async () => {
    const name = await rig().publish({
      name: 'Look by hand',
      audience: 'human',
      variables: [{ name: 'deviceId' }],
      steps: [
        { label: 'Look', type: 'diagnose', tool: 'run_command', tool_input: echo('looked'), instruction: 'Run the tool, read it, then press Done.' },
        { label: 'Then', instruction: 'Carry on.' },
      ],
    });
    const offline = await startRun(rig, name);
    expect(offline.labels()).not.toContain('Run tool');

    const live = await startRun(rig, `${name} device=${DEVICE}`);
    expect(live.labels()).toEqual(['Done', 'Run tool', 'Fail', 'Pause', 'Cancel']);
    await live.clickOk('Run tool');
    const ran = await until(live.runId, (run) => run.steps[0]?.tool_output !== null && !run.steps[0]?.tool_running);
    expect(ran.steps[0]).toMatchObject({ status: 'active', tool_output: { stdout: 'looked', exit_code: 0 } });
    await rig().app.notifier?.idle();
    await vi.waitFor(() => expect(live.text()).toContain('✓ Ran `run_command`'));
    await live.clickOk('Done');
    expect((await rig().app.service.get(live.runId)).steps[0]).toMatchObject({ status: 'completed', actor: { id: DEFAULT_USER.id } });
  });

  it('re-checks a verify with retry until it passes on the third try', async () => {
    const health = await statusServer([503, 503, 200]);
    const name = await rig().publish(
      agentic('Wait until healthy', [
        {
          label: 'Healthy?',
          type: 'verify',
          tool: 'http_check',
          tool_input: { url: health.url },
          verify: { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 1, timeout_seconds: 30 } },
        },
      ]),
    );
    const live = await startRun(rig, `${name} device=${DEVICE}`);
    const run = await until(live.runId, finished);
    expect(run.status).toBe('completed');
    expect(health.hits()).toBe(3);
    expect(run.steps[0]).toMatchObject({ outcome: 'pass', tool_tries: 3 });
  });

  it('refuses a start on a device no runner serves, naming it', async () => {
    const { slack, fake } = rig();
    const name = await rig().publish(agentic('Anywhere', [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }]));
    const since = fake.calls.length;
    await slack.command({ text: `start ${name} device=ghost-7`, response_url: fake.responseUrl('ghost') });
    const answer = await fake.waitForResponse('ghost');
    expect(answer.body.text).toContain('device ghost-7 is not known');
    expect(fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('fails the step when the runner is killed in the middle of a call and nobody answers in time', async () => {
    // The command outlives its killed runner, as it would on a real machine; the test ends it.
    const SLOW_SCRIPT = "require('node:fs').writeFileSync(process.argv[1], String(process.pid)); setTimeout(() => {}, 60000)";
    const slowPidFile = join(sandbox, 'slow.pid');
    cleanups.push(async () => {
      killQuietly(Number(await readFile(slowPidFile, 'utf8').catch(() => 'NaN')));
    });
    const doomed = await startRunnerProcess(['--device-id', 'web-doomed', '--config', join(sandbox, 'runner.yaml')], rig().env);
    const name = await rig().publish(
      agentic('Slow change', [
        {
          label: 'Slow',
          type: 'act',
          tool: 'run_command',
          tool_input: { command: process.execPath, args: ['-e', SLOW_SCRIPT, slowPidFile] },
          timeout_seconds: 4,
        },
      ]),
    );
    const live = await startRun(rig, `${name} device=web-doomed`);
    // The device's own journal, where its runner keeps what it started.
    const calls = createCallJournal(join(sandbox, 'state', 'web-doomed'));
    await vi.waitFor(async () => expect((await calls.all())[0]?.status).toBe('running'), { timeout: 10_000 });
    await doomed.stop('SIGKILL');

    const run = await until(live.runId, finished);
    expect(run.status).toBe('failed');
    expect(run.steps[0]?.error).toBe('device web-doomed did not answer in 4 s');
    // The timeout's worker stores the failure before it hands the run to the notifier: the
    // message follows once that render is queued and sent.
    await vi.waitFor(() => expect(live.text()).toContain('device web-doomed did not answer in 4 s'), { timeout: 5_000 });
  });

  it('never runs an act twice when its runner is killed mid-call and a new runner takes the call over', async () => {
    // Each start of the act appends a line (and its pid) to a file, then takes a while.
    const starts = join(sandbox, 'act-starts.log');
    const ACT_SCRIPT = "require('node:fs').appendFileSync(process.argv[1], process.pid + '\\n'); setTimeout(() => {}, 5000)";
    cleanups.push(async () => {
      for (const pid of (await readFile(starts, 'utf8').catch(() => '')).split('\n')) killQuietly(Number(pid));
    });
    // Calls whose runner died are handed out again after 1 s instead of 30.
    const quick = { ...rig().env, RUNNER_STALLED_CHECK_MS: '1000' };
    const first = await startRunnerProcess(['--device-id', 'web-restart', '--config', join(sandbox, 'runner.yaml')], quick);
    const name = await rig().publish(
      agentic('Act once', [
        { label: 'Change', type: 'act', tool: 'run_command', tool_input: { command: process.execPath, args: ['-e', ACT_SCRIPT, starts] }, timeout_seconds: 60 },
      ]),
    );
    const live = await startRun(rig, `${name} device=web-restart`);
    const calls = createCallJournal(join(sandbox, 'state', 'web-restart'));
    // Killed only once the act is really under way on the machine.
    const startsSoFar = async () => (await readFile(starts, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    await vi.waitFor(async () => expect(await startsSoFar()).toHaveLength(1), { timeout: 10_000 });
    await first.stop('SIGKILL');
    const second = await startRunnerProcess(['--device-id', 'web-restart', '--config', join(sandbox, 'runner.yaml')], quick);
    cleanups.push(() => second.stop());

    const run = await until(live.runId, finished, 30_000);
    expect(run.status).toBe('failed');
    expect(run.steps[0]?.error).toContain('was already started on web-restart by a delivery that never reported back');
    expect(await startsSoFar()).toHaveLength(1);
    expect((await calls.all())[0]).toMatchObject({ status: 'failed', deliveries: 2 });
  });

  it('shows a device, its status and recent runs with /runbook device', async () => {
    const { slack, fake } = rig();
    await slack.command({ text: `device ${DEVICE}`, response_url: fake.responseUrl('device') });
    const text = JSON.stringify((await fake.waitForResponse('device')).body);
    expect(text).toContain('🟢');
    expect(text).toContain('Disk Cleanup');
    expect(text).toContain('prod');
  });
});

describe('the device as a parameter of the run', () => {
  /** Reference 001's Service Restart as 001 writes it: no step names {{deviceId}}. */
  const SERVICE_RESTART_001 = JSON.parse(readFileSync(new URL('../fixtures/definitions/service-restart-001.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  let name = '';
  beforeAll(async () => {
    name = await rig().publish(SERVICE_RESTART_001);
  });

  /** `/runbook start …` that opens the inputs modal; returns the modal's inputs (by block id) and the view. */
  async function openInputs(text: string) {
    const { fake, slack } = rig();
    const since = fake.calls.length;
    await slack.command({ text: `start ${text}`, trigger_id: fakeTriggerId() });
    const call = await fake.waitForCall('views.open', () => true, { since });
    const view = call.result?.view as { id: string; blocks: Array<{ type: string; block_id?: string; optional?: boolean; element?: { initial_value?: string } }> };
    const inputs = Object.fromEntries(view.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b]));
    return { view, inputs };
  }

  it('starts a 001-format playbook whose steps never name {{deviceId}} on the device given with device=', async () => {
    const live = await startRun(rig, `${name} device=${DEVICE} serviceName=web`);
    await fireWaitNow(live.runId);
    const run = await until(live.runId, finished);
    expect(run).toMatchObject({ status: 'completed', device_id: DEVICE, variables: { serviceName: 'web' } });
    expect(run.steps[0]?.tool_input).toEqual({ service: 'web', action: 'status' });
    expect(run.steps[3]?.tool_output).toMatchObject({ service_status: 'running', manager: 'runner' });
    await rig().app.notifier?.idle();
    expect(live.text()).toContain(`🖥️ ${DEVICE}`);
  });

  it('keeps device= through the inputs form, and asks there for the device when none is given', async () => {
    const { fake } = rig();
    const given = await openInputs(`${name} device=${DEVICE}`);
    expect(Object.keys(given.inputs)).toEqual(['var:serviceName', 'var:deviceId']);
    expect(given.inputs['var:deviceId']).toMatchObject({ element: { initial_value: DEVICE } });
    expect(given.inputs['var:deviceId']?.optional).toBeUndefined();
    const since = fake.calls.length;
    expect((await submitInputs(rig(), given.view, { 'var:serviceName': 'web', 'var:deviceId': DEVICE })).status).toBe(200);
    const posted = await fake.waitForCall('chat.postMessage', (a) => a.thread_ts === undefined, { since });
    const runId = runIdIn(fake.message(posted.args.channel as string, posted.result?.ts as string));
    expect(await rig().app.service.get(runId)).toMatchObject({ device_id: DEVICE, variables: { serviceName: 'web' } });
    await fireWaitNow(runId);
    expect((await until(runId, finished)).status).toBe('completed');

    const missing = await openInputs(`${name} serviceName=web`);
    expect(missing.inputs['var:deviceId']?.element?.initial_value).toBeUndefined();
    const refused = await submitInputs(rig(), missing.view, { 'var:serviceName': 'web', 'var:deviceId': '   ' });
    expect(refused.json).toEqual({ response_action: 'errors', errors: { 'var:deviceId': 'deviceId is required' } });
  });
});
