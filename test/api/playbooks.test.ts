// Reference 001's device playbooks over REST against the service, with `runbook-bot runner`
// as a real process serving the device: the playbook list, executing a built-in and reading
// the execution until it completes, a verify that fails and rolls back, the refusals (key
// lacking a permission, unknown or offline device, bad input) that change nothing, the
// executions list and its filters; and the device as a parameter of any run (a playbook in
// 001's format whose steps never name {{deviceId}}). Every answer is checked against the
// OpenAPI document.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDeviceStore } from '../../src/models/device-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { killQuietly, startRunnerProcess, type RunnerProcess } from '../support/runner-process.js';
import { freePort } from '../support/service-process.js';
import { promoteWaits } from '../support/waits.js';
import { useApi } from './support/api-rig.js';

const api = useApi({}, { builtinPlaybooks: {} });
const DEVICE = 'web-01';
const GONE = 'web-gone';

let sandbox = '';
let runner: RunnerProcess;
let agent = '';
let stranger = '';
let reader = '';

const SERVICE_SCRIPT = `
import { createServer } from 'node:http';
createServer((req, res) => res.end(String(process.pid))).listen(Number(process.argv[2]), '127.0.0.1');
`;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'runbook-bot-api-playbooks-'));
  await writeFile(join(sandbox, 'service.mjs'), SERVICE_SCRIPT);
  await writeFile(join(sandbox, 'config-state'), 'healthy');
  await writeFile(
    join(sandbox, 'runner.yaml'),
    [
      `state_dir: ${join(sandbox, 'state')}`,
      'services:',
      '  web:',
      `    start: [${process.execPath}, ${join(sandbox, 'service.mjs')}, "${await freePort()}"]`,
      `    pid_file: ${join(sandbox, 'web.pid')}`,
      'run_command:',
      `  allow: [${process.execPath}]`,
    ].join('\n'),
  );
  agent = await api.key('ops-agent', ['read', 'run', 'author']);
  stranger = await api.key('stranger', ['read', 'run']);
  reader = await api.key('watcher', ['read']);
  // The built-ins require devices:read and devices:execute; only ops-agent holds them.
  await createPermissionStore(api.app().db.conn).grant('apikey:ops-agent', ['devices:*'], { kind: 'cli', id: 'admin' });
  runner = await startRunnerProcess(['--device-id', DEVICE, '--config', join(sandbox, 'runner.yaml')], api.env());
  // A device whose runner stopped cleanly: offline from that moment.
  const devices = createDeviceStore(api.app().db.conn);
  await devices.register({ id: GONE, hostname: 'gone', os: { platform: 'linux', release: '6', arch: 'x64' }, tags: [], tools: [], runner_version: 'test', session: 'gone-1', pid: 1 });
  await devices.markStopped(GONE, 'gone-1');
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  // The declared service outlives the runner on purpose (as a real one would): stop it.
  killQuietly(-Number(await readFile(join(sandbox, 'web.pid'), 'utf8').catch(() => 'NaN')));
  await rm(sandbox, { recursive: true, force: true });
  expect(api.mismatches).toEqual([]);
});

const get = (path: string, key = agent) => api.request('GET', path, { key });
const execute = (playbook: string, body: unknown, key = agent) => api.request('POST', `/v1/playbooks/${playbook}/execute`, { key, body });

async function playbookId(name: string): Promise<string> {
  const list = await get('/v1/playbooks');
  const found = (list.body.data as Array<{ id: string; name: string }>).find((p) => p.name === name);
  if (!found) throw new Error(`no playbook "${name}"`);
  return found.id;
}

const FINISHED = ['completed', 'failed', 'rolled_back', 'cancelled'];

/** Reads the execution until `ok` holds of it; fails, with where it stands, after `timeoutMs`. */
async function pollExecution(id: string, ok: (execution: { status: string }) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(`/v1/playbooks/executions/${id}`);
    expect(answer.status).toBe(200);
    if (ok(answer.body.execution)) return answer.body;
    if (Date.now() > deadline) throw new Error(`execution ${id} is still ${answer.body.execution.status}: ${JSON.stringify(answer.body.execution.errorMessage)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs an execution to its end, firing its waits at once instead of after their seconds. */
async function finish(id: string) {
  for (;;) {
    const body = await pollExecution(id, (e) => e.status === 'waiting' || FINISHED.includes(e.status));
    if (FINISHED.includes(body.execution.status)) return body;
    await promoteWaits(api.env(), id);
    await pollExecution(id, (e) => e.status !== 'waiting');
  }
}

const executionCount = async () => (await get('/v1/playbooks/executions?limit=100')).body.data.length as number;

/** A command line for run_command: node running `script` with `args`. */
const node = (script: string, ...args: string[]) => ({ command: process.execPath, args: ['-e', script, ...args] });
const STATE = () => join(sandbox, 'config-state');
const HEALTH = "process.exit(require('node:fs').readFileSync(process.argv[1], 'utf8') === 'healthy' ? 0 : 1)";
const WRITE = "require('node:fs').writeFileSync(process.argv[1], process.argv[2])";

/** A playbook in 001's format that breaks the device's config and must roll it back; no step names {{deviceId}}. */
const configSwitch = () => ({
  name: 'Config Switch',
  description: 'Switches to the new config, checks health, and restores the old one when it is not healthy.',
  category: 'config',
  requiredPermissions: ['devices:execute'],
  steps: [
    { type: 'diagnose', name: 'Read health', description: 'Health before the change.', tool: 'run_command', toolInput: node(HEALTH, STATE()) },
    { type: 'act', name: 'Switch to the new config', description: 'Writes the new config.', tool: 'run_command', toolInput: node(WRITE, STATE(), 'broken') },
    {
      type: 'verify',
      name: 'Verify health',
      description: 'Healthy with the new config?',
      tool: 'run_command',
      toolInput: node(HEALTH, STATE()),
      verifyCondition: { metric: 'exit_code', operator: 'eq', value: 0 },
      onFailure: 'rollback',
    },
    { type: 'rollback', name: 'Restore the old config', description: 'Writes the old config back.', tool: 'run_command', toolInput: node(WRITE, STATE(), 'healthy') },
  ],
});

/** Reference 001's Service Restart as 001 writes it: its steps name {{serviceName}} only. */
const SERVICE_RESTART_001 = JSON.parse(readFileSync(new URL('../fixtures/definitions/service-restart-001.json', import.meta.url), 'utf8')) as object;

async function create(definition: object): Promise<string> {
  const created = await api.request('POST', '/v1/runbooks', { key: agent, body: definition });
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

describe('GET /v1/playbooks', () => {
  it('lists the runbooks that run tools on a device in 001’s shape, by category, and no others', async () => {
    const human = await create({ name: 'Read the logs', category: 'service', steps: [{ label: 'Read', instruction: 'Read the logs.' }] });
    const all = await get('/v1/playbooks');
    expect(all.status).toBe(200);
    const names = all.body.data.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['Disk Cleanup', 'Memory Pressure Relief', 'Service Restart']));
    expect(all.body.data.map((p: { id: string }) => p.id)).not.toContain(human);

    const restart = all.body.data.find((p: { name: string }) => p.name === 'Service Restart');
    expect(restart).toMatchObject({
      category: 'service',
      requiredPermissions: ['devices:read', 'devices:execute'],
      triggerConditions: { alertTypes: ['service_down'], deviceTags: [], autoExecute: false },
      isBuiltIn: true,
      isActive: true,
      audience: 'agentic',
      variables: [{ name: 'serviceName', required: true }],
    });
    expect(restart.steps.map((s: { type: string }) => s.type)).toEqual(['diagnose', 'act', 'wait', 'verify']);
    expect(restart.steps[0]).toEqual({
      type: 'diagnose',
      name: 'Check current service status',
      description: expect.stringContaining('Reads the state of {{serviceName}}'),
      tool: 'manage_services',
      toolInput: { service: '{{serviceName}}', action: 'status' },
      onFailure: 'stop',
    });
    expect(restart.steps[2]).toMatchObject({ type: 'wait', waitSeconds: 10 });
    expect(restart.steps[2]).not.toHaveProperty('tool');
    expect(restart.steps[3].verifyCondition).toEqual({ metric: 'service_status', operator: 'eq', value: 'running' });
    expect(all.body.data.find((p: { name: string }) => p.name === 'Disk Cleanup')).not.toHaveProperty('triggerConditions');

    const disk = await get('/v1/playbooks?category=disk');
    expect(disk.body.data.map((p: { name: string }) => p.name)).toEqual(['Disk Cleanup']);
    expect((await get('/v1/playbooks?category=all')).body.data).toHaveLength(all.body.data.length);
    expect((await get('/v1/playbooks?category=patch')).body.data).toEqual([]);
  });

  it('reads one playbook by id or slug; a runbook that runs no tools, or none at all, is not found', async () => {
    const id = await playbookId('Service Restart');
    const one = await get(`/v1/playbooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ id, name: 'Service Restart', isBuiltIn: true });
    expect((await get('/v1/playbooks/service-restart')).body.data.id).toBe(id);

    const human = await create({ name: 'Check the dashboards', steps: [{ label: 'Look', instruction: 'Look at them.' }] });
    const notPlaybook = await get(`/v1/playbooks/${human}`);
    expect(notPlaybook.status).toBe(404);
    expect(notPlaybook.body.error.message).toBe('runbook "Check the dashboards" is no playbook: it runs no tools on a device');
    expect((await get('/v1/playbooks/rnb_nosuchthing1')).status).toBe(404);
  });

  it('needs the read scope and a key', async () => {
    expect((await api.request('GET', '/v1/playbooks', { key: null })).status).toBe(401);
    expect((await get('/v1/playbooks', reader)).status).toBe(200);
  });
});

describe('POST /v1/playbooks/:id/execute', () => {
  it('runs Service Restart on the device and the execution reads as 001’s record until completed', async () => {
    const id = await playbookId('Service Restart');
    const started = await execute(id, { deviceId: DEVICE, variables: { serviceName: 'web' }, context: { conversationId: 'conv-7', triggeredBy: 'ai' } });
    expect(started.status).toBe(201);
    const { execution, playbook } = started.body;
    expect(playbook).toEqual({ id, name: 'Service Restart', category: 'service', version: 1 });
    expect(execution).toMatchObject({
      deviceId: DEVICE,
      playbookId: id,
      playbookName: 'Service Restart',
      triggeredBy: 'ai',
      triggeredByUserId: 'apikey:ops-agent',
      context: { conversationId: 'conv-7', variables: { deviceId: DEVICE, serviceName: 'web' } },
      rollbackExecuted: false,
      errorMessage: null,
      completedAt: null,
    });
    expect(['pending', 'running']).toContain(execution.status);
    expect(execution.id).toMatch(/^run_[a-z0-9]{12}$/);
    expect(execution.steps.map((s: { stepName: string }) => s.stepName)).toEqual([
      'Check current service status',
      'Restart target service',
      'Wait for service startup',
      'Verify service health',
    ]);

    const done = await finish(execution.id);
    expect(done.execution).toMatchObject({ status: 'completed', runStatus: 'completed', currentStepIndex: 3, rollbackExecuted: false, errorMessage: null });
    expect(done.execution.completedAt).toEqual(expect.any(String));
    const [check, restart, wait, verify] = done.execution.steps;
    expect(check).toMatchObject({ stepIndex: 0, status: 'completed', toolUsed: 'manage_services', toolInput: { service: 'web', action: 'status' }, toolOutput: { service: 'web' } });
    expect(restart).toMatchObject({ stepIndex: 1, status: 'completed', toolInput: { service: 'web', action: 'restart' }, toolOutput: { service_status: 'running', manager: 'runner' } });
    expect(wait).toMatchObject({ stepIndex: 2, type: 'wait', status: 'completed', toolUsed: null, toolInput: null, toolOutput: null });
    expect(verify).toMatchObject({ stepIndex: 3, status: 'completed', toolOutput: { service_status: 'running', pid: restart.toolOutput.pid }, error: null });
    for (const step of done.execution.steps) {
      expect(step.startedAt).toEqual(expect.any(String));
      expect(Date.parse(step.completedAt)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
      expect(step.durationMs).toBe(Date.parse(step.completedAt) - Date.parse(step.startedAt));
    }
  });

  it('rolls back when a verify fails: rolled_back, rollbackExecuted, the rollback step’s output, the device restored', async () => {
    const id = await create(configSwitch());
    const started = await execute(id, { deviceId: DEVICE });
    expect(started.status).toBe(201);
    expect(started.body.execution.triggeredBy).toBe('api');

    const done = await finish(started.body.execution.id);
    expect(done.execution).toMatchObject({ status: 'rolled_back', rollbackExecuted: true, currentStepIndex: 3 });
    expect(done.execution.errorMessage).toBe('step "Verify health" failed: verify failed: exit_code = 1, expected eq 0');
    const [before, change, verify, restore] = done.execution.steps;
    expect(before).toMatchObject({ status: 'completed', toolOutput: { exit_code: 0 } });
    expect(change).toMatchObject({ status: 'completed', toolOutput: { exit_code: 0 } });
    expect(verify).toMatchObject({ status: 'failed', toolOutput: { exit_code: 1 }, error: 'verify failed: exit_code = 1, expected eq 0' });
    expect(restore).toMatchObject({ type: 'rollback', status: 'completed', toolUsed: 'run_command', toolOutput: { exit_code: 0 } });
    expect(await readFile(STATE(), 'utf8')).toBe('healthy');
  });

  it('answers 403 with the permissions the key lacks, and starts nothing', async () => {
    const id = await playbookId('Service Restart');
    const before = await executionCount();
    const refused = await execute(id, { deviceId: DEVICE, variables: { serviceName: 'web' } }, stranger);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', missingPermissions: ['devices:read', 'devices:execute'] });
    expect(refused.body.error.message).toContain('You need devices:read and devices:execute to start “Service Restart”');

    const noScope = await execute(id, { deviceId: DEVICE, variables: { serviceName: 'web' } }, reader);
    expect(noScope.status).toBe(403);
    expect(noScope.body.error.message).toBe(
      `API key "watcher" lacks the "run" scope (it has: read) and holds no operator or admin role on “Service Restart”. An admin can grant one with \`runbook-bot permissions grant apikey:watcher operator@${id}\`.`,
    );
    expect(noScope.body.error).not.toHaveProperty('missingPermissions');
    expect(await executionCount()).toBe(before);
  });

  it('answers 404 for a device no runner registered and for one whose runner stopped, and starts nothing', async () => {
    const id = await playbookId('Service Restart');
    const before = await executionCount();
    const unknown = await execute(id, { deviceId: 'ghost-7', variables: { serviceName: 'web' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('device ghost-7 is not known') });
    const offline = await execute(id, { deviceId: GONE, variables: { serviceName: 'web' } });
    expect(offline.status).toBe(404);
    expect(offline.body.error.message).toMatch(/^device web-gone is offline: its runner stopped at \d{4}-\d\d-\d\dT/);
    expect((await execute('rnb_nosuchthing1', { deviceId: DEVICE })).status).toBe(404);
    expect(await executionCount()).toBe(before);
  });

  it('refuses bad input with 422 naming the field, and starts nothing', async () => {
    const id = await playbookId('Service Restart');
    const before = await executionCount();
    const problemsOf = async (body: unknown) => {
      const answer = await execute(id, body);
      expect(answer.status).toBe(422);
      return answer.body.error;
    };
    expect((await problemsOf({ variables: { serviceName: 'web' } })).problems).toEqual([{ path: 'deviceId', message: expect.any(String) }]);
    expect((await problemsOf({ deviceId: 'web 01; rm -rf /' })).problems[0].path).toBe('deviceId');
    expect((await problemsOf({ deviceId: DEVICE, context: { triggeredBy: 'robot' } })).problems[0].path).toBe('context.triggeredBy');
    expect((await problemsOf({ deviceId: DEVICE, device: DEVICE })).problems[0].path).toBe('device');
    expect((await problemsOf({ deviceId: DEVICE })).message).toBe('missing required variable "serviceName" (Service to restart (e.g. nginx))');
    expect((await problemsOf({ deviceId: DEVICE, variables: { serviceName: 'web', deviceId: 'web-02' } })).message).toBe(
      'the device is given twice and differently: web-01, and web-02 as the deviceId variable',
    );
    expect(await executionCount()).toBe(before);
  });
});

describe('GET /v1/playbooks/executions', () => {
  let restartId = '';
  let switchId = '';
  beforeAll(async () => {
    restartId = await playbookId('Service Restart');
    switchId = await playbookId('Config Switch');
  });

  it('lists executions newest first, filtered by device, playbook, 001 status and limit', async () => {
    const all = await get('/v1/playbooks/executions');
    expect(all.status).toBe(200);
    const executions = all.body.data as Array<{ id: string; deviceId: string; playbookId: string; status: string; steps: unknown[] }>;
    expect(executions.map((e) => e.playbookId)).toEqual(expect.arrayContaining([restartId, switchId]));
    expect(executions.every((e) => e.deviceId === DEVICE && e.steps.length > 0)).toBe(true);

    const byPlaybook = await get(`/v1/playbooks/executions?playbookId=${switchId}`);
    expect(byPlaybook.body.data.map((e: { playbookId: string }) => e.playbookId)).toEqual([switchId]);
    const completed = await get('/v1/playbooks/executions?status=completed');
    expect(completed.body.data.map((e: { status: string }) => e.status)).toEqual(executions.filter((e) => e.status === 'completed').map(() => 'completed'));
    expect(completed.body.data.map((e: { playbookId: string }) => e.playbookId)).not.toContain(switchId);
    const rolledBack = await get('/v1/playbooks/executions?status=rolled_back');
    expect(rolledBack.body.data.map((e: { playbookId: string }) => e.playbookId)).toEqual([switchId]);
    expect((await get(`/v1/playbooks/executions?deviceId=${DEVICE}&playbookId=${restartId}&status=completed`)).body.data).toHaveLength(
      executions.filter((e) => e.playbookId === restartId && e.status === 'completed').length,
    );
    expect((await get(`/v1/playbooks/executions?deviceId=${GONE}`)).body.data).toEqual([]);

    const first = await get('/v1/playbooks/executions?limit=1');
    expect(first.body.data).toEqual([executions[0]]);
    expect(first.body.pagination).toMatchObject({ has_more: true, limit: 1 });
    const second = await get(`/v1/playbooks/executions?limit=1&cursor=${first.body.pagination.next_cursor}`);
    expect(second.body.data).toEqual([executions[1]]);
  });

  it('leaves out runs on no device, and reads none of them as an execution', async () => {
    const runbook = await create({ name: 'Hand check', steps: [{ label: 'Look', instruction: 'Look.' }] });
    const run = await api.request('POST', `/v1/runbooks/${runbook}/runs`, { key: agent, body: {} });
    expect(run.status).toBe(201);
    expect(run.body.data.device_id).toBeNull();
    expect((await get('/v1/playbooks/executions?limit=100')).body.data.map((e: { id: string }) => e.id)).not.toContain(run.body.data.id);
    const detail = await get(`/v1/playbooks/executions/${run.body.data.id}`);
    expect(detail.status).toBe(404);
    expect(detail.body.error.message).toBe(`run ${run.body.data.id} is no playbook execution: it runs on no device`);
    expect((await get('/v1/playbooks/executions/run_nosuchthing1')).status).toBe(404);
  });

  it('refuses an unknown status, a bad device id and a limit out of range, naming the parameter', async () => {
    const pathOf = async (query: string) => {
      const answer = await get(`/v1/playbooks/executions?${query}`);
      expect(answer.status).toBe(422);
      return answer.body.error.problems[0].path;
    };
    expect(await pathOf('status=paused')).toBe('query.status');
    expect(await pathOf('deviceId=a:b')).toBe('query.deviceId');
    expect(await pathOf('limit=0')).toBe('query.limit');
  });
});

describe('the device is a parameter of the run', () => {
  let restart001 = '';
  beforeAll(async () => {
    restart001 = await create(SERVICE_RESTART_001);
  });

  it('starts a 001-format playbook whose steps never name {{deviceId}} on the device the start gives', async () => {
    const started = await api.request('POST', `/v1/runbooks/${restart001}/runs`, { key: agent, body: { device_id: DEVICE, variables: { serviceName: 'web' } } });
    expect(started.status).toBe(201);
    expect(started.body.data).toMatchObject({ device_id: DEVICE, variables: { serviceName: 'web' }, status: 'running' });
    const done = await finish(started.body.data.id);
    expect(done.execution).toMatchObject({ status: 'completed', deviceId: DEVICE });
    expect(done.execution.steps[3].toolOutput).toMatchObject({ service_status: 'running' });

    // As Slack and forms write it, a deviceId among the variables names the device too.
    const asVariable = await execute(restart001, { deviceId: DEVICE, variables: { serviceName: 'web', deviceId: DEVICE } });
    expect(asVariable.status).toBe(201);
    expect(asVariable.body.execution.context.variables).toEqual({ serviceName: 'web' });
    await finish(asVariable.body.execution.id);
  });

  it('refuses a start without a device, with two different devices, or with a device for a runbook that runs no tools', async () => {
    const before = await executionCount();
    const start = (id: string, body: object) => api.request('POST', `/v1/runbooks/${id}/runs`, { key: agent, body });
    const none = await start(restart001, { variables: { serviceName: 'web' } });
    expect(none.status).toBe(422);
    expect(none.body.error.message).toBe('“Restart Service” runs tools on a device: say which one with its id (deviceId; device=ID in Slack)');
    const twice = await start(restart001, { device_id: DEVICE, variables: { serviceName: 'web', deviceId: GONE } });
    expect(twice.status).toBe(422);
    expect(twice.body.error.message).toBe('the device is given twice and differently: web-01, and web-gone as the deviceId variable');
    const unknown = await start(restart001, { device_id: 'ghost-8', variables: { serviceName: 'web' } });
    expect(unknown.status).toBe(404);
    const offline = await start(restart001, { device_id: GONE, variables: { serviceName: 'web' } });
    // Outside 001's execute, an offline device stays a conflict.
    expect(offline.status).toBe(409);
    const handOnly = await create({ name: 'No tools here', steps: [{ label: 'Look', instruction: 'Look.' }] });
    const noTools = await start(handOnly, { device_id: DEVICE });
    expect(noTools.status).toBe(422);
    expect(noTools.body.error.message).toBe('“No tools here” has no tool steps, so it runs on no device');
    expect((await start(handOnly, { device_id: 'not a device' })).body.error.problems[0].path).toBe('device_id');
    expect(await executionCount()).toBe(before);
  });

  it('fills the deviceId variable of a runbook that declares it (the built-ins)', async () => {
    const started = await api.request('POST', `/v1/runbooks/${await playbookId('Service Restart')}/runs`, {
      key: agent,
      body: { device_id: DEVICE, variables: { serviceName: 'web' } },
    });
    expect(started.status).toBe(201);
    expect(started.body.data).toMatchObject({ device_id: DEVICE, variables: { deviceId: DEVICE, serviceName: 'web' } });
    expect(started.body.data.current_step.instruction).toContain(`Reads the state of web on ${DEVICE}`);
    expect((await finish(started.body.data.id)).execution.status).toBe('completed');
  });
});
