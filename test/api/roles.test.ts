// Roles over the REST API and MCP, once an admin grant switched them on: an API key holds its
// scopes plus the roles granted to `apikey:NAME` (everywhere or on one runbook); a refused
// call answers 403 (or an MCP tool error) naming the role and how to get it, changes nothing,
// and is recorded with the surface it came through.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAccessStore } from '../../src/models/access-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { useApi } from './support/api-rig.js';

const api = useApi();
const cli = { kind: 'cli' as const, id: 'tester' };
let author = '';
let diskAgent = '';
let editor = '';
let drill = '';
let payments = '';
const clients: Client[] = [];

async function mcpClient(key: string): Promise<Client> {
  const client = new Client({ name: 'roles-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(api.url('/mcp')), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

const runsOf = async (runbookId: string) => (await api.request('GET', `/v1/runbooks/runs?runbook_id=${runbookId}`, { key: author })).body.data.length as number;

beforeAll(async () => {
  author = await api.key('author-agent', ['read', 'run', 'author']);
  diskAgent = await api.key('disk-agent', ['read']);
  editor = await api.key('draft-agent', ['read']);
  const made = async (name: string) => (await api.request('POST', '/v1/runbooks', { key: author, body: { name, steps: [{ label: 'Do it', instruction: 'Do it.' }] } })).body.data.id as string;
  drill = await made('Cache Drill');
  payments = await made('Payments Drill');
  const grants = createPermissionStore(api.app().db.conn);
  await grants.grant('U0BOSS', ['admin'], cli);
  await createAccessStore(api.app().db.conn).enforce(cli);
  await grants.grant('apikey:disk-agent', [`operator@${drill}`], cli);
  await grants.grant('apikey:draft-agent', ['editor'], cli);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  expect(api.mismatches).toEqual([]);
});

describe('a key with an operator role on one runbook', () => {
  it('starts that runbook over REST and is refused 403 on another, which gets no run', async () => {
    const ok = await api.request('POST', `/v1/runbooks/${drill}/runs`, { key: diskAgent, body: {} });
    expect(ok.status).toBe(201);

    const before = await runsOf(payments);
    const refused = await api.request('POST', `/v1/runbooks/${payments}/runs`, { key: diskAgent, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'forbidden',
      message: `API key "disk-agent" lacks the "run" scope (it has: read) and holds no operator or admin role on “Payments Drill”. An admin can grant one with \`runbook-bot permissions grant apikey:disk-agent operator@${payments}\`.`,
    });
    expect(await runsOf(payments)).toBe(before);
  });

  it('drives its run step by step, and is refused a step on a run of the other runbook, which stays as it was', async () => {
    const mine = await api.request('POST', `/v1/runbooks/${drill}/runs`, { key: diskAgent, body: {} });
    const advanced = await api.request('POST', `/v1/runbooks/runs/${mine.body.data.id}/advance`, { key: diskAgent, body: {} });
    expect(advanced.status).toBe(200);
    expect((await api.request('GET', `/v1/runbooks/runs/${mine.body.data.id}`, { key: author })).body.data.status).toBe('completed');

    const theirs = await api.request('POST', `/v1/runbooks/${payments}/runs`, { key: author, body: {} });
    const before = await api.request('GET', `/v1/runbooks/runs/${theirs.body.data.id}`, { key: author });
    const refused = await api.request('POST', `/v1/runbooks/runs/${theirs.body.data.id}/advance`, { key: diskAgent, body: {} });
    expect(refused.status).toBe(403);
    expect((await api.request('GET', `/v1/runbooks/runs/${theirs.body.data.id}`, { key: author })).body).toEqual(before.body);
  });

  it('gets the same refusal as an MCP tool error, and starts its own runbook through MCP', async () => {
    const agent = await mcpClient(diskAgent);
    const refused = await agent.callTool({ name: 'start_run', arguments: { runbook_id: payments } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('holds no operator or admin role on “Payments Drill”');

    const started = await agent.callTool({ name: 'start_run', arguments: { runbook_id: drill } });
    expect(started.isError).toBeFalsy();
  });
});

describe('a key with the editor role', () => {
  it('creates drafts and edits them, and is refused publishing, which a published runbook’s edit would do', async () => {
    const draft = await api.request('POST', '/v1/runbooks', { key: editor, body: { name: 'Draft Drill', status: 'draft', steps: [{ label: 'Try', instruction: 'Try.' }] } });
    expect(draft.status).toBe(201);
    const edited = await api.request('PUT', `/v1/runbooks/${draft.body.data.id}`, { key: editor, body: { description: 'better' } });
    expect(edited.status).toBe(200);

    const published = await api.request('POST', '/v1/runbooks', { key: editor, body: { name: 'Live Drill', steps: [{ label: 'Go', instruction: 'Go.' }] } });
    expect(published.status).toBe(403);
    expect(published.body.error.message).toContain('holds no admin role');

    const before = await api.request('GET', `/v1/runbooks/${drill}`, { key: author });
    const edit = await api.request('PUT', `/v1/runbooks/${drill}`, { key: editor, body: { description: 'sneaky' } });
    expect(edit.status).toBe(403);
    expect(edit.body.error.message).toContain('holds no admin role on “Cache Drill”');
    expect((await api.request('GET', `/v1/runbooks/${drill}`, { key: author })).body).toEqual(before.body);
    expect((await api.request('POST', `/v1/runbooks/${draft.body.data.id}/publish`, { key: editor })).status).toBe(403);
  });
});

it('records the refusals with the surface each came through', async () => {
  const refusals = await createAccessStore(api.app().db.conn).refusals(100);
  const seen = refusals.map((r) => `${r.actor.id}:${r.action}:${r.surface}`);
  expect(seen).toEqual(expect.arrayContaining(['apikey:disk-agent:run:api', 'apikey:disk-agent:run:mcp', 'apikey:draft-agent:publish:api']));
  expect(refusals.find((r) => r.surface === 'mcp')).toMatchObject({ runbook_id: payments });
});
