// Reference 002's runbook endpoints: create with step:ref resolution and default wiring,
// list with filters and cursors, get, update, steps, archive, delete; and ours: every edit is
// a new version (runs stay pinned), publish, fork.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useApi } from './support/api-rig.js';

const api = useApi();
let key = '';
let admin = '';

beforeAll(async () => {
  key = await api.key('author-agent', ['read', 'run', 'author']);
  admin = await api.key('admin-agent', ['admin']);
});
afterAll(() => {
  expect(api.mismatches).toEqual([]);
});

const create = (body: object) => api.request('POST', '/v1/runbooks', { key, body });
const get = (id: string) => api.request('GET', `/v1/runbooks/${id}`, { key });

describe('creating runbooks', () => {
  it('resolves step:ref targets to step ids and wires steps by position', async () => {
    const created = await create({
      name: 'Refs',
      steps: [
        { label: 'Run tests', instruction: 'Run.', type: 'check', next_on_outcome: { pass: 'step:deploy', fail: 'step:fix' } },
        { label: 'Fix failures', instruction: 'Fix.', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
        { label: 'Deploy', instruction: 'Deploy.', ref: 'deploy' },
      ].map((s, i) => (i === 0 ? { ...s, ref: 'tests' } : s)),
    });
    expect(created.status).toBe(201);
    const [tests, fix, deploy] = created.body.data.steps;
    expect(created.body.data.id).toMatch(/^rnb_[a-z0-9]{12}$/);
    expect(tests.id).toMatch(/^rbs_[a-z0-9]{12}$/);
    expect(tests).toMatchObject({ position: 1, next_default: fix.id, next_on_outcome: { pass: deploy.id, fail: fix.id } });
    expect(fix).toMatchObject({ position: 2, next_on_outcome: { done: tests.id } });
    expect(deploy).toMatchObject({ position: 3, next_default: null, next_on_outcome: null });
    expect(created.body.data).toMatchObject({ is_archived: false, status: 'published', version: 1 });
  });

  it('answers 422 with every problem and its path, and stores nothing', async () => {
    const before = (await api.request('GET', '/v1/runbooks?limit=100', { key })).body.data.length;
    const bad = await create({
      name: 'x'.repeat(256),
      category: 'Not Valid',
      tags: Array.from({ length: 21 }, (_, i) => `t${i}`),
      variables: [{ name: 'bad name' }],
      steps: [{ label: 'ok', instruction: 'ok' }, { label: 'ok', instruction: 'ok' }, { instruction: 'no label' }, { label: 'to nowhere', next_on_outcome: { done: 'step:missing' } }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_error');
    const paths = bad.body.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'category', 'tags', 'variables[0].name', 'steps[2].label', 'steps[3].next_on_outcome.done']));
    expect((await api.request('GET', '/v1/runbooks?limit=100', { key })).body.data.length).toBe(before);
    const tooMany = await create({ name: 'Too many', steps: Array.from({ length: 101 }, (_, i) => ({ label: `s${i}`, instruction: 'x' })) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.problems[0].path).toBe('steps');
  });

  it('refuses a second runbook with the same name (409) instead of changing the first', async () => {
    expect((await create({ name: 'Unique', steps: [{ label: 'a', instruction: 'a' }] })).status).toBe(201);
    const again = await create({ name: 'unique', steps: [{ label: 'b', instruction: 'b' }] });
    expect(again.status).toBe(409);
  });

  it('creates a draft when asked, which starts no runs until published', async () => {
    const draft = await create({ name: 'Drafted', status: 'draft', steps: [{ label: 'a', instruction: 'a' }] });
    expect(draft.body.data).toMatchObject({ status: 'draft', published_version: null });
    expect((await api.request('POST', `/v1/runbooks/${draft.body.data.id}/runs`, { key, body: {} })).status).toBe(409);
    const published = await api.request('POST', `/v1/runbooks/${draft.body.data.id}/publish`, { key });
    expect(published.body.data).toMatchObject({ status: 'published', published_version: 1 });
    expect((await api.request('POST', `/v1/runbooks/${draft.body.data.id}/runs`, { key, body: {} })).status).toBe(201);
  });
});

describe('listing', () => {
  it('filters by category and by any of several tags, hides archived ones unless asked, and pages', async () => {
    const a = await create({ name: 'List A', category: 'cat-list', tags: ['red'], steps: [{ label: 'a', instruction: 'a' }] });
    const b = await create({ name: 'List B', category: 'cat-list', tags: ['blue'], steps: [{ label: 'a', instruction: 'a' }, { label: 'b', instruction: 'b' }] });
    const c = await create({ name: 'List C', category: 'cat-list', tags: ['green'], steps: [{ label: 'a', instruction: 'a' }] });
    await api.request('POST', `/v1/runbooks/${c.body.data.id}/archive`, { key });
    const inCategory = await api.request('GET', '/v1/runbooks?category=cat-list', { key });
    expect(inCategory.body.data.map((r: { name: string }) => r.name)).toEqual(['List A', 'List B']);
    expect(inCategory.body.data[1]).toMatchObject({ step_count: 2, is_archived: false });
    const tagged = await api.request('GET', '/v1/runbooks?tags=blue,green,red', { key });
    expect(tagged.body.data.map((r: { name: string }) => r.name)).toEqual(['List A', 'List B']);
    const archived = await api.request('GET', '/v1/runbooks?category=cat-list&is_archived=true', { key });
    expect(archived.body.data.map((r: { id: string }) => r.id)).toEqual([c.body.data.id]);
    const first = await api.request('GET', '/v1/runbooks?category=cat-list&limit=1', { key });
    expect(first.body.pagination).toMatchObject({ has_more: true, limit: 1 });
    const second = await api.request('GET', `/v1/runbooks?category=cat-list&limit=1&cursor=${first.body.pagination.next_cursor}`, { key });
    expect(second.body.data[0].id).toBe(b.body.data.id);
    expect(second.body.pagination).toEqual({ has_more: false, next_cursor: null, limit: 1 });
    expect(first.body.data[0].id).toBe(a.body.data.id);
  });

  it('refuses a limit outside 1–100 with 422', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const answer = await api.request('GET', `/v1/runbooks?limit=${limit}`, { key });
      expect(answer.status).toBe(422);
      expect(answer.body.error.problems[0].path).toBe('query.limit');
    }
  });
});

describe('editing', () => {
  it('changes metadata as a new version; a run started before keeps its version', async () => {
    const made = await create({ name: 'Editable', variables: [{ name: 'env', default: 'prod' }], steps: [{ label: 'Go', instruction: 'Go to {env}.' }] });
    const id = made.body.data.id;
    const run = (await api.request('POST', `/v1/runbooks/${id}/runs`, { key, body: {} })).body.data;
    const updated = await api.request('PUT', `/v1/runbooks/${id}`, { key, body: { name: 'Edited', tags: ['changed'] } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ name: 'Edited', tags: ['changed'], version: 2, published_version: 2 });
    expect((await get(id)).body.data.name).toBe('Edited');
    const pinned = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key });
    expect(pinned.body.data).toMatchObject({ runbook_name: 'Editable', runbook_version: 1 });
    const bad = await api.request('PUT', `/v1/runbooks/${id}`, { key, body: { category: 'Bad Category', steps: [] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['category', 'steps']));
    expect((await get(id)).body.data.version).toBe(2);
  });

  it('shows and sets the deadlines and approvals: the run\'s timeout_seconds, a gate\'s approvals_required and approval deadline', async () => {
    const made = await create({
      name: 'Guarded',
      steps: [{ label: 'Two sign-offs', type: 'gate', approvers: ['U0BOB', 'U0CAROL'], approvals_required: 2, approval_timeout_seconds: 600, on_timeout: 'escalate', escalation_channel: 'C0ESCAL8' }],
    });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ timeout_seconds: null });
    expect(made.body.data.steps[0]).toMatchObject({ approvals_required: 2, approval_timeout_seconds: 600, on_timeout: 'escalate', escalation_channel: 'C0ESCAL8', timeout_seconds: null });
    const id = made.body.data.id;
    const updated = await api.request('PUT', `/v1/runbooks/${id}`, { key, body: { timeout_seconds: 3600 } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ timeout_seconds: 3600, version: 2 });
    const bad = await api.request('PUT', `/v1/runbooks/${id}`, { key, body: { timeout_seconds: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.problems.map((p: { path: string }) => p.path)).toEqual(['timeout_seconds']);
    expect((await get(id)).body.data).toMatchObject({ timeout_seconds: 3600, version: 2 });
  });

  it('adds, changes, reorders and removes steps, each a new version, with runs of older versions untouched', async () => {
    const made = await create({ name: 'Steps', steps: [{ label: 'One', instruction: '1' }, { label: 'Two', instruction: '2' }] });
    const id = made.body.data.id;
    const [one, two] = made.body.data.steps;
    const run = (await api.request('POST', `/v1/runbooks/${id}/runs`, { key, body: {} })).body.data;

    const added = await api.request('POST', `/v1/runbooks/${id}/steps`, { key, body: { label: 'Three', instruction: '3', type: 'check' } });
    expect(added.status).toBe(201);
    expect(added.body.data).toMatchObject({ label: 'Three', position: 3, type: 'check' });
    const changed = await api.request('PUT', `/v1/runbooks/${id}/steps/${two.id}`, { key, body: { instruction: 'two, changed', required: false } });
    expect(changed.body.data).toMatchObject({ id: two.id, label: 'Two', instruction: 'two, changed', required: false });
    const order = [added.body.data.id, one.id, two.id];
    const reordered = await api.request('PUT', `/v1/runbooks/${id}/steps/reorder`, { key, body: { step_ids: order } });
    expect(reordered.body.data.map((s: { id: string }) => s.id)).toEqual(order);
    const badOrder = await api.request('PUT', `/v1/runbooks/${id}/steps/reorder`, { key, body: { step_ids: [one.id, one.id] } });
    expect(badOrder.status).toBe(422);
    expect((await api.request('DELETE', `/v1/runbooks/${id}/steps/${one.id}`, { key })).status).toBe(204);
    expect((await api.request('DELETE', `/v1/runbooks/${id}/steps/rbs_000000000000`, { key })).status).toBe(404);
    const now = await get(id);
    expect(now.body.data.steps.map((s: { label: string }) => s.label)).toEqual(['Three', 'Two']);
    expect(now.body.data.version).toBe(5);
    const pinned = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key });
    expect(pinned.body.data.steps.map((s: { label: string }) => s.label)).toEqual(['One', 'Two']);
  });

  it('refuses removing a step another step routes to, with the path of the route', async () => {
    const made = await create({ name: 'Routed', steps: [{ label: 'A', instruction: 'a', type: 'check', next_on_outcome: { pass: 'step:b', fail: null } }, { label: 'B', instruction: 'b', ref: 'b' }] });
    const b = made.body.data.steps[1];
    const refused = await api.request('DELETE', `/v1/runbooks/${made.body.data.id}/steps/${b.id}`, { key });
    expect(refused.status).toBe(422);
    expect(refused.body.error.problems[0].path).toBe('steps[0].next_on_outcome.pass');
  });
});

describe('archiving, deleting, forking', () => {
  it('deletes a runbook and its runs, but not while a run is active', async () => {
    const made = await create({ name: 'Deletable', steps: [{ label: 'One', instruction: '1' }] });
    const id = made.body.data.id;
    const run = (await api.request('POST', `/v1/runbooks/${id}/runs`, { key, body: {} })).body.data;
    expect((await api.request('DELETE', `/v1/runbooks/${id}`, { key })).status).toBe(403);
    const refused = await api.request('DELETE', `/v1/runbooks/${id}`, { key: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(`Runbook '${id}' cannot be deleted — it has 1 active run(s). Archive it instead.`);
    await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key, body: { status: 'cancelled' } });
    expect((await api.request('DELETE', `/v1/runbooks/${id}`, { key: admin })).status).toBe(204);
    expect((await get(id)).status).toBe(404);
    expect((await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key })).status).toBe(404);
  });

  it('forks into a company; the copy has new ids and remembers its origin', async () => {
    const made = await create({ name: 'Forkable', steps: [{ label: 'One', instruction: '1' }] });
    const fork = await api.request('POST', `/v1/runbooks/${made.body.data.id}/fork`, { key, body: { company: 'acme' } });
    expect(fork.status).toBe(201);
    expect(fork.body.data).toMatchObject({ name: 'Forkable', scope: { type: 'company', company: 'acme' }, forked_from: { runbook_id: made.body.data.id, version: 1 } });
    expect(fork.body.data.id).not.toBe(made.body.data.id);
    expect(fork.body.data.steps[0].id).not.toBe(made.body.data.steps[0].id);
    expect((await api.request('POST', `/v1/runbooks/${made.body.data.id}/fork`, { key, body: { company: 'acme' } })).status).toBe(409);
  });

  it('answers 404 for unknown runbooks', async () => {
    for (const [method, path] of [
      ['GET', '/v1/runbooks/rnb_000000000000'],
      ['PUT', '/v1/runbooks/rnb_000000000000'],
      ['POST', '/v1/runbooks/rnb_000000000000/archive'],
      ['POST', '/v1/runbooks/rnb_000000000000/steps'],
    ] as const) {
      const body = method === 'GET' ? undefined : method === 'PUT' ? { name: 'x' } : path.endsWith('steps') ? { label: 'x' } : undefined;
      const answer = await api.request(method, path, { key, ...(body ? { body } : {}) });
      expect([method, path, answer.status, answer.body.error.code]).toEqual([method, path, 404, 'not_found']);
    }
  });
});
