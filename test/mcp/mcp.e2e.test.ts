// MCP through the SDK's own client against the real service: over streamable HTTP at /mcp,
// and over stdio through `runbook-bot mcp` as a child process. A runbook with a branch runs
// to the end; its gate waits for a person approving in Slack; bad calls are answered as tool
// errors that name the field.
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { useBotRig } from '../bot/support/bot-rig.js';
import { liveRun } from '../bot/support/run-message.js';
import { DEFAULT_CHANNEL } from '../support/slack-requests.js';

const rig = useBotRig();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOLS = ['advance_step', 'create_runbook', 'fail_step', 'get_current_step', 'get_run', 'list_devices', 'list_runbooks', 'list_runs', 'pause_run', 'skip_step', 'start_run'];

let agentKey = '';
let readerKey = '';
const clients: Client[] = [];

const url = () => `http://127.0.0.1:${rig().app.port}`;

async function httpClient(key: string): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url()), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

async function stdioClient(key: string): Promise<Client> {
  const client = new Client({ name: 'test-agent-stdio', version: '1.0.0' });
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['bin/runbook-bot.mjs', 'mcp'],
      cwd: ROOT,
      env: { ...env, RUNBOOK_BOT_API_KEY: key, RUNBOOK_BOT_URL: url() },
      stderr: 'pipe',
    }),
  );
  clients.push(client);
  return client;
}

/** A tool call's structured answer; fails the test with the tool's own words when it refused. */
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} refused: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

async function refusal(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError).toBe(true);
  return (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
}

const DEPLOY = {
  name: 'Deploy web',
  category: 'deployment',
  variables: [{ name: 'version', required: true }],
  steps: [
    { label: 'Run tests', ref: 'tests', type: 'check', instruction: 'Run the suite for {{version}}.', next_on_outcome: { pass: 'step:signoff', fail: 'step:fix' } },
    { label: 'Fix the build', ref: 'fix', next_default: 'step:tests' },
    { label: 'Sign-off', ref: 'signoff', type: 'gate', approvers: ['U0BOB'] },
    { label: 'Ship', ref: 'ship', instruction: 'Ship {{version}}.' },
  ],
};

beforeAll(async () => {
  const keys = createApiKeyStore(rig().app.db.conn);
  agentKey = (await keys.create('mcp-agent', ['read', 'run', 'author'], { kind: 'cli', id: 'tester' })).key;
  readerKey = (await keys.create('mcp-reader', ['read'], { kind: 'cli', id: 'tester' })).key;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
});

describe('MCP over streamable HTTP', () => {
  it('lists the tools with schemas and honest annotations', async () => {
    const { tools } = await (await httpClient(agentKey)).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ['get_current_step', 'list_runbooks', 'list_runs', 'get_run', 'list_devices']) expect(byName.get(name)?.annotations?.readOnlyHint).toBe(true);
    for (const name of ['start_run', 'advance_step', 'fail_step', 'create_runbook', 'pause_run']) expect(byName.get(name)?.annotations?.readOnlyHint).toBe(false);
    expect(byName.get('fail_step')?.annotations?.destructiveHint).toBe(true);
    expect(byName.get('advance_step')?.inputSchema).toMatchObject({ type: 'object', properties: { run_id: { type: 'string' }, outcome: { type: 'string' } }, required: ['run_id'] });
    expect(byName.get('get_current_step')?.outputSchema).toMatchObject({ type: 'object', properties: { run_id: { type: 'string' }, progress: { type: 'object' } } });
  });

  it('runs a runbook with a branch to the end, waiting at the gate for a person approving in Slack', async () => {
    const agent = await httpClient(agentKey);
    const created = await call(agent, 'create_runbook', DEPLOY);
    expect(created).toMatchObject({ name: 'Deploy web', status: 'published' });
    const listed = await call(agent, 'list_runbooks', { category: 'deployment' });
    expect(listed.runbooks.map((r: { id: string }) => r.id)).toContain(created.id);

    const run = await call(agent, 'start_run', { runbook_id: created.id, variables: { version: '2.5.0' }, channel: DEFAULT_CHANNEL.id });
    expect(run.current_step).toMatchObject({ label: 'Run tests', instruction: 'Run the suite for 2.5.0.' });
    // The fail branch loops back through the fix to the tests.
    expect((await call(agent, 'advance_step', { run_id: run.id, outcome: 'fail', notes: 'two tests red' })).current_step.label).toBe('Fix the build');
    expect((await call(agent, 'advance_step', { run_id: run.id })).current_step.label).toBe('Run tests');
    const atGate = await call(agent, 'advance_step', { run_id: run.id, outcome: 'pass' });
    expect(atGate.current_step).toMatchObject({ label: 'Sign-off', approval: { state: 'waiting', approvers: ['U0BOB'] } });

    // Advancing an undecided gate changes nothing and says who must decide.
    const blocked = await agent.callTool({ name: 'advance_step', arguments: { run_id: run.id } });
    expect(blocked.isError).toBeFalsy();
    expect((blocked.content as { text: string }[])[0]?.text).toMatch(/waits for a person to approve or reject it \(approvers: U0BOB\)/);
    expect((blocked.structuredContent as any).current_step.label).toBe('Sign-off');

    const live = liveRun(rig, { channel: DEFAULT_CHANNEL.id, ts: run.slack.ts, runId: run.id });
    await vi.waitFor(() => expect(live.labels()).toContain('Approve'), { timeout: 5000 });
    await live.clickOk('Approve', { user: 'U0BOB' });
    const decided = await call(agent, 'get_current_step', { run_id: run.id });
    expect(decided.current_step).toMatchObject({ label: 'Sign-off', approval: { state: 'approved', decided_by: 'U0BOB' } });

    expect((await call(agent, 'advance_step', { run_id: run.id })).current_step).toMatchObject({ label: 'Ship', instruction: 'Ship 2.5.0.' });
    const done = await call(agent, 'advance_step', { run_id: run.id, notes: 'shipped' });
    expect(done).toMatchObject({ run_status: 'completed', current_step: null, progress: { total_steps: 4, remaining: 0 } });
    const whole = await call(agent, 'get_run', { run_id: run.id });
    expect(whole.steps.find((s: { label: string }) => s.label === 'Ship')).toMatchObject({ status: 'completed', notes: 'shipped', actor: 'apikey:mcp-agent' });
    const runs = await call(agent, 'list_runs', { status: 'completed', runbook_id: created.id });
    expect(runs.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });

  it('pauses, skips and fails, and lists devices', async () => {
    const agent = await httpClient(agentKey);
    const created = await call(agent, 'create_runbook', { name: 'Tidy up', steps: [{ label: 'Optional', required: false }, { label: 'Last' }] });
    const run = await call(agent, 'start_run', { runbook_id: created.id });
    expect(await call(agent, 'pause_run', { run_id: run.id, reason: 'session ending' })).toMatchObject({ run_status: 'paused' });
    expect((await call(agent, 'get_run', { run_id: run.id })).status).toBe('paused');
    await rig().app.service.apply(run.id, { type: 'resume', actor: { kind: 'slack', id: 'U0ALICE' } });
    expect((await call(agent, 'skip_step', { run_id: run.id, notes: 'not needed' })).current_step.label).toBe('Last');
    expect(await call(agent, 'fail_step', { run_id: run.id, notes: 'disk full', output: { free_mb: 3 } })).toMatchObject({ run_status: 'failed', error_message: expect.any(String) });
    expect(await call(agent, 'list_devices', {})).toEqual({ devices: [] });
  });

  it('answers bad calls as tool errors that name the field, and changes nothing', async () => {
    const agent = await httpClient(agentKey);
    const created = await call(agent, 'create_runbook', { name: 'Bad input', steps: [{ label: 'One' }, { label: 'Two' }] });
    const run = await call(agent, 'start_run', { runbook_id: created.id });
    expect(await refusal(agent, 'advance_step', { run_id: run.id, outcome: 'Not An Outcome!' })).toMatch(/outcome/);
    expect(await refusal(agent, 'advance_step', { run_id: run.id, surprise: true })).toMatch(/surprise/);
    expect(await refusal(agent, 'advance_step', {})).toMatch(/run_id/);
    expect(await refusal(agent, 'get_current_step', { run_id: 'run_missing00000' })).toMatch(/^not_found: run run_missing00000 not found/);
    expect(await refusal(agent, 'create_runbook', { name: 'No steps', steps: [{ label: '' }] })).toMatch(/steps\.0\.label/);
    expect(await refusal(agent, 'list_runs', { status: 'running,sleeping' })).toMatch(/unknown status sleeping/);
    // The device reaches the service: this runbook has no tool steps to run on one.
    expect(await refusal(agent, 'start_run', { runbook_id: created.id, device_id: 'web-01' })).toMatch(/has no tool steps, so it runs on no device/);
    expect((await call(agent, 'get_current_step', { run_id: run.id })).current_step.label).toBe('One');

    const reader = await httpClient(readerKey);
    expect(await refusal(reader, 'start_run', { runbook_id: created.id })).toMatch(/^forbidden: API key "mcp-reader" lacks the "run" scope/);
    expect(await refusal(reader, 'advance_step', { run_id: run.id })).toMatch(/lacks the "run" scope/);
    expect((await call(reader, 'get_current_step', { run_id: run.id })).current_step.label).toBe('One');
  });

  it('refuses a request without a key, or with a wrong one, before any tool runs', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${url()}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }) });
    const without = await post({});
    expect(without.status).toBe(401);
    expect(((await without.json()) as any).error.message).toMatch(/missing API key/);
    expect((await post({ authorization: 'Bearer rbk_not-a-key' })).status).toBe(401);
  });
});

describe('MCP over stdio (runbook-bot mcp)', () => {
  it('serves the same tools through the service, as the key in RUNBOOK_BOT_API_KEY', async () => {
    const agent = await stdioClient(agentKey);
    expect((await agent.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const created = await call(agent, 'create_runbook', { name: 'Over stdio', steps: [{ label: 'Check', type: 'check', next_on_outcome: { fail: null } }, { label: 'Finish' }] });
    const run = await call(agent, 'start_run', { runbook_id: created.id });
    expect((await call(agent, 'advance_step', { run_id: run.id, outcome: 'pass' })).current_step.label).toBe('Finish');
    expect(await refusal(agent, 'advance_step', { run_id: run.id, outcome: 'BAD' })).toMatch(/outcome/);
    const trail = await rig().app.service.audit(run.id);
    expect(trail.at(-1)).toMatchObject({ command: 'advance', actor: { kind: 'api', id: 'apikey:mcp-agent' }, source: 'mcp' });
  });

  it('exits with a message naming the variable when no key is given', async () => {
    const { spawnSync } = await import('node:child_process');
    const env: NodeJS.ProcessEnv = { ...process.env, RUNBOOK_BOT_URL: url() };
    delete env.RUNBOOK_BOT_API_KEY;
    const out = spawnSync(process.execPath, ['bin/runbook-bot.mjs', 'mcp'], { cwd: ROOT, env, encoding: 'utf8', input: '' });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/RUNBOOK_BOT_API_KEY is not set/);
    expect(out.stdout).toBe('');
  });
});
