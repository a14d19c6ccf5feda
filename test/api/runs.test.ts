// Reference 002's run endpoints and its example workflows, over real HTTP against the
// service: a deploy with the pass/fail loop, an interrupted run resumed, a gate decided by a
// person and then advanced by the agent; every answer checked against the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPermissionStore } from '../../src/models/permission-store.js';
import { useApi } from './support/api-rig.js';

const api = useApi();
let agent = '';
let approver = '';

const DEPLOY = {
  name: 'Deploy to Production',
  description: 'Standard production deployment procedure.',
  category: 'deployment',
  tags: ['production', 'release'],
  variables: [
    { name: 'version', description: 'Release version', required: true },
    { name: 'branch', description: 'Git branch', required: true, default: 'main' },
  ],
  steps: [
    { label: 'Pull latest code', instruction: 'Pull the latest code from {branch}.', type: 'action' },
    { label: 'Run test suite', instruction: 'Run the full test suite.', type: 'check', ref: 'tests', next_on_outcome: { pass: 'step:deploy', fail: 'step:fix' } },
    { label: 'Fix test failures', instruction: 'Review and fix failures.', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
    { label: 'Deploy application', instruction: 'Deploy {version} to production.', ref: 'deploy' },
    { label: 'Smoke test', instruction: 'Verify critical endpoints.', type: 'check' },
    { label: 'Confirm', instruction: 'Confirm deployment of {version}.', type: 'gate', approvers: ['apikey:release-manager'] },
  ],
};

beforeAll(async () => {
  agent = await api.key('deploy-agent', ['read', 'run', 'author']);
  approver = await api.key('release-manager', ['read', 'approve']);
});

afterAll(() => {
  expect(api.mismatches).toEqual([]);
});

async function createRunbook(definition: object = DEPLOY): Promise<string> {
  const created = await api.request('POST', '/v1/runbooks', { key: agent, body: definition });
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

async function start(runbookId: string, variables: Record<string, string> = { version: '2.5.0' }) {
  const started = await api.request('POST', `/v1/runbooks/${runbookId}/runs`, { key: agent, body: { variables } });
  expect(started.status).toBe(201);
  return started.body.data;
}

const advance = (runId: string, body: object = {}, key = agent) => api.request('POST', `/v1/runbooks/runs/${runId}/advance`, { key, body });
const current = (runId: string, key = agent) => api.request('GET', `/v1/runbooks/runs/${runId}/current`, { key });

describe('an agent executes a deployment (002 workflow 1)', () => {
  it('finds the runbook, starts it, routes on pass and fail, and finishes after the gate is approved', async () => {
    const id = await createRunbook();
    const found = await api.request('GET', '/v1/runbooks?category=deployment', { key: agent });
    expect(found.body.data.map((r: { id: string }) => r.id)).toContain(id);

    const run = await start(id);
    expect(run).toMatchObject({
      runbook_id: id,
      runbook_name: 'Deploy to Production',
      status: 'running',
      variables: { version: '2.5.0', branch: 'main' },
      current_step: { label: 'Pull latest code', instruction: 'Pull the latest code from main.', type: 'action', required: true, status: 'active' },
      progress: { total_steps: 6, completed: 0, skipped: 0, failed: 0, remaining: 6 },
    });
    expect(run.id).toMatch(/^run_[a-z0-9]{12}$/);

    let step = await advance(run.id, { outcome: 'done', notes: 'Pulled commit abc123.' });
    expect(step.status).toBe(200);
    expect(step.body.data.current_step.label).toBe('Run test suite');

    step = await advance(run.id, { outcome: 'fail', notes: '3 failures' });
    expect(step.body.data.current_step.label).toBe('Fix test failures');
    step = await advance(run.id, { outcome: 'done' });
    expect(step.body.data.current_step.label).toBe('Run test suite');
    step = await advance(run.id, { outcome: 'pass', notes: 'All 247 tests passed.', output: { test_count: 247, failures: 0 } });
    expect(step.body.data.current_step).toMatchObject({ label: 'Deploy application', instruction: 'Deploy 2.5.0 to production.' });
    step = await advance(run.id);
    step = await advance(run.id, { outcome: 'pass' });
    expect(step.body.data.current_step).toMatchObject({
      label: 'Confirm',
      type: 'gate',
      outcome: null,
      approval: { state: 'waiting', approvers: ['apikey:release-manager'], decided_by: null },
    });

    const early = await advance(run.id, { outcome: 'approved' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'awaiting_approval', approvers: ['apikey:release-manager'] });

    const byAgent = await api.request('POST', `/v1/runbooks/runs/${run.id}/approve`, { key: agent, body: {} });
    expect(byAgent.status).toBe(403);

    const approved = await api.request('POST', `/v1/runbooks/runs/${run.id}/approve`, { key: approver, body: { notes: 'ship it' } });
    expect(approved.status).toBe(200);
    const seen = await current(run.id);
    expect(seen.body.data.current_step).toMatchObject({ label: 'Confirm', status: 'active', outcome: 'approved', approval: { state: 'approved', decided_by: 'apikey:release-manager' } });

    const done = await advance(run.id);
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ run_status: 'completed', current_step: null, progress: { completed: 6, remaining: 0 } });

    const whole = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent });
    expect(whole.body.data.status).toBe('completed');
    expect(whole.body.data.completed_at).not.toBeNull();
    expect(whole.body.data.steps[0]).toMatchObject({ label: 'Pull latest code', status: 'completed', outcome: 'done', notes: 'Pulled commit abc123.', actor: 'apikey:deploy-agent' });
    expect(whole.body.data.steps[1]).toMatchObject({ outcome: 'pass', output: { test_count: 247, failures: 0 } });
  });

  it('fails a run when the gate is rejected and the runbook has no rejected route, once the agent advances', async () => {
    const run = await start(await createRunbook({ ...DEPLOY, name: 'Deploy rejected', steps: [DEPLOY.steps[5]] }));
    const rejected = await api.request('POST', `/v1/runbooks/runs/${run.id}/reject`, { key: approver, body: { notes: 'not today' } });
    expect(rejected.body.data.current_step.approval).toMatchObject({ state: 'rejected', decided_by: 'apikey:release-manager' });
    const wrong = await advance(run.id, { outcome: 'approved' });
    expect(wrong.status).toBe(422);
    const moved = await advance(run.id);
    expect(moved.body.data.run_status).toBe('failed');
    expect(moved.body.data.error_message).toMatch(/rejected by release-manager/);
  });
});

describe('an agent resumes an interrupted run (002 workflow 2)', () => {
  it('lists running and paused runs, reads the current step with what is done, and carries on', async () => {
    const id = await createRunbook({ ...DEPLOY, name: 'Deploy resumable' });
    const run = await start(id, { version: '3.0.0', branch: 'release/3.0' });
    await advance(run.id);
    await advance(run.id, { outcome: 'pass' });
    const paused = await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key: agent, body: { status: 'paused' } });
    expect(paused.body).toEqual({ data: { id: run.id, status: 'paused' } });

    const listed = await api.request('GET', `/v1/runbooks/runs?status=running,paused&runbook_id=${id}`, { key: agent });
    expect(listed.body.data).toEqual([expect.objectContaining({ id: run.id, status: 'paused', progress: expect.objectContaining({ completed: 2 }) })]);

    const where = await current(run.id);
    expect(where.body.data).toMatchObject({
      run_id: run.id,
      run_status: 'paused',
      current_step: { label: 'Deploy application', instruction: 'Deploy 3.0.0 to production.' },
      completed_steps: [
        { label: 'Pull latest code', status: 'completed', outcome: 'done' },
        { label: 'Run test suite', status: 'completed', outcome: 'pass' },
      ],
      variables: { version: '3.0.0', branch: 'release/3.0' },
    });
    expect((await advance(run.id)).status).toBe(409);
    expect((await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key: agent, body: { status: 'running' } })).body.data.status).toBe('running');
    expect((await advance(run.id)).body.data.current_step.label).toBe('Smoke test');
  });
});

describe('skip, fail and status changes', () => {
  it('skips only steps that are not required', async () => {
    const run = await start(await createRunbook({ name: 'Skippable', steps: [{ label: 'Backup', instruction: 'Back up.', required: false }, { label: 'Migrate', instruction: 'Migrate.' }] }), {});
    const skipped = await api.request('POST', `/v1/runbooks/runs/${run.id}/skip`, { key: agent, body: { notes: 'no schema changes' } });
    expect(skipped.status).toBe(200);
    expect(skipped.body.data.progress).toMatchObject({ skipped: 1 });
    const refused = await api.request('POST', `/v1/runbooks/runs/${run.id}/skip`, { key: agent, body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('validation_error');
  });

  it('fails a step and the run, and retries it with status running', async () => {
    const run = await start(await createRunbook({ name: 'Migrations', steps: [{ label: 'Migrate', instruction: 'Run migrations.' }, { label: 'Verify', instruction: 'Check.' }] }), {});
    const failed = await api.request('POST', `/v1/runbooks/runs/${run.id}/fail`, {
      key: agent,
      body: { notes: 'Migration failed: column already exists.', output: { error: 'SQLSTATE[42S21]' } },
    });
    expect(failed.body.data).toMatchObject({ run_status: 'failed', current_step: { label: 'Migrate', status: 'failed' } });
    expect((await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key: agent, body: { status: 'paused' } })).status).toBe(409);
    const retried = await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key: agent, body: { status: 'running' } });
    expect(retried.body.data.status).toBe('running');
    expect((await current(run.id)).body.data.current_step).toMatchObject({ label: 'Migrate', status: 'active' });
  });

  it('allows exactly the transitions of 002 and refuses the rest with 409, changing nothing', async () => {
    const id = await createRunbook({ name: 'Transitions', steps: [{ label: 'One', instruction: 'One.' }] });
    const cases: [string, 'running' | 'paused' | 'cancelled', number][] = [
      ['running', 'running', 409],
      ['running', 'paused', 200],
      ['paused', 'paused', 409],
      ['paused', 'running', 200],
      ['running', 'cancelled', 200],
      ['cancelled', 'running', 409],
      ['cancelled', 'paused', 409],
      ['cancelled', 'cancelled', 409],
    ];
    const run = await start(id, {});
    for (const [from, to, status] of cases) {
      const before = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent });
      expect(before.body.data.status).toBe(from);
      const answer = await api.request('PUT', `/v1/runbooks/runs/${run.id}`, { key: agent, body: { status: to } });
      expect([from, to, answer.status]).toEqual([from, to, status]);
      if (status === 409) expect((await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent })).body).toEqual(before.body);
    }
    const finished = await start(id, {});
    await advance(finished.id);
    for (const to of ['running', 'paused', 'cancelled']) {
      expect((await api.request('PUT', `/v1/runbooks/runs/${finished.id}`, { key: agent, body: { status: to } })).status).toBe(409);
    }
    expect((await advance(finished.id)).status).toBe(409);
    const cancelled = await start(id, {});
    await api.request('PUT', `/v1/runbooks/runs/${cancelled.id}`, { key: agent, body: { status: 'cancelled' } });
    for (const run of [finished, cancelled]) {
      const before = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent });
      for (const command of ['advance', 'skip', 'fail']) {
        const answer = await api.request('POST', `/v1/runbooks/runs/${run.id}/${command}`, { key: agent, body: {} });
        expect([command, answer.status, answer.body.error.code]).toEqual([command, 409, 'conflict']);
      }
      expect((await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent })).body).toEqual(before.body);
    }
  });
});

describe('starting runs', () => {
  it('refuses an unknown runbook (404), an archived one (409) and a missing variable (422)', async () => {
    expect((await api.request('POST', '/v1/runbooks/rnb_000000000000/runs', { key: agent, body: {} })).status).toBe(404);
    const id = await createRunbook({ ...DEPLOY, name: 'Deploy archived' });
    const missing = await api.request('POST', `/v1/runbooks/${id}/runs`, { key: agent, body: { variables: {} } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/missing required variable "version"/);
    await api.request('POST', `/v1/runbooks/${id}/archive`, { key: agent });
    const archived = await api.request('POST', `/v1/runbooks/${id}/runs`, { key: agent, body: { variables: { version: '1' } } });
    expect(archived.status).toBe(409);
    expect(archived.body.error.code).toBe('conflict');
  });

  it('pages through runs with a cursor', async () => {
    const id = await createRunbook({ name: 'Paged', steps: [{ label: 'One', instruction: 'One.' }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await start(id, {})).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof api.request>> = await api.request('GET', `/v1/runbooks/runs?runbook_id=${id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: agent });
      expect(page.body.pagination.limit).toBe(2);
      seen.push(...page.body.data.map((r: { id: string }) => r.id));
      cursor = page.body.pagination.next_cursor;
      expect(page.body.pagination.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const later = await api.request('GET', `/v1/runbooks/runs?runbook_id=${id}&started_after=2999-01-01`, { key: agent });
    expect(later.body.data).toEqual([]);
    const since = await api.request('GET', `/v1/runbooks/runs?runbook_id=${id}&started_after=2000-01-01T00:00:00Z&limit=100`, { key: agent });
    expect(since.body.data).toHaveLength(5);
    expect((await api.request('GET', '/v1/runbooks/runs?started_after=yesterday', { key: agent })).body.error.problems[0].path).toBe('query.started_after');
  });

  it('records every command in the run’s audit trail under the key’s name', async () => {
    const run = await start(await createRunbook({ name: 'Audited', steps: [{ label: 'One', instruction: 'One.' }] }), {});
    await advance(run.id, { notes: 'did it' });
    const trail = await api.app().service.audit(run.id);
    expect(trail.map((e) => [e.command, e.actor.kind, e.actor.id, e.source])).toEqual([
      ['start', 'api', 'apikey:deploy-agent', null],
      ['advance', 'api', 'apikey:deploy-agent', 'api'],
    ]);
  });
});

describe('required permissions', () => {
  it('refuses a key without a runbook’s required permissions, naming the grant, and starts once it is granted', async () => {
    const id = await createRunbook({ name: 'Guarded', required_permissions: ['deploys:production'], steps: [{ label: 'One', instruction: '1' }] });
    const refused = await api.request('POST', `/v1/runbooks/${id}/runs`, { key: agent, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('`runbook-bot permissions grant apikey:deploy-agent deploys:production`');
    expect((await api.request('GET', `/v1/runbooks/runs?runbook_id=${id}`, { key: agent })).body.data).toEqual([]);
    await createPermissionStore(api.app().db.conn).grant('apikey:deploy-agent', ['deploys:production'], { kind: 'cli', id: 'admin' });
    expect((await api.request('POST', `/v1/runbooks/${id}/runs`, { key: agent, body: {} })).status).toBe(201);
  });
});

describe('a gate that needs two approvals, over the API', () => {
  it('counts each named key once, never the agent driving the run, and passes on the second', async () => {
    const second = await api.key('security-lead', ['read', 'approve']);
    const runbookId = await createRunbook({
      name: 'Two keys',
      steps: [{ label: 'Two sign-offs', type: 'gate', approvers: ['apikey:release-manager', 'apikey:security-lead', 'apikey:deploy-agent'], approvals_required: 2 }, { label: 'Ship' }],
    });
    const run = await start(runbookId, {});
    const approve = (key: string) => api.request('POST', `/v1/runbooks/runs/${run.id}/approve`, { key, body: {} });

    const byDriver = await approve(agent);
    expect(byDriver.status).toBe(403);
    const first = await approve(approver);
    expect(first.status).toBe(200);
    expect((await current(run.id)).body.data.current_step).toMatchObject({
      label: 'Two sign-offs',
      approval: { state: 'waiting', approvals_required: 2, approved_by: ['apikey:release-manager'], approval_deadline: null },
    });
    const again = await approve(approver);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('you already approved step "Two sign-offs" (1 of 2 approvals so far)');
    const passed = await approve(second);
    expect(passed.status).toBe(200);
    // An agent's run: the decision is recorded on the gate, and the agent moves on.
    expect((await current(run.id)).body.data.current_step).toMatchObject({ label: 'Two sign-offs', approval: { state: 'approved', decided_by: 'apikey:security-lead' } });
    expect((await advance(run.id)).body.data.current_step).toMatchObject({ label: 'Ship' });
  });
});

describe('an approval bound to what the approver saw', () => {
  it('refuses a decision naming an earlier visit of the gate, or another step, as stale, and changes nothing', async () => {
    const runbookId = await createRunbook({
      name: 'Gate in a loop',
      steps: [
        { label: 'Sign-off', ref: 'sign', type: 'gate', approvers: ['apikey:release-manager'], next_on_outcome: { rejected: 'step:again' } },
        { label: 'Ship' },
        { label: 'Rework', ref: 'again', next_on_outcome: { done: 'step:sign' } },
      ],
    });
    const run = await start(runbookId, {});
    const seen = (await current(run.id)).body.data.current_step;
    expect(seen).toMatchObject({ label: 'Sign-off', visit: 1 });
    const decide = (type: 'approve' | 'reject', body: object) => api.request('POST', `/v1/runbooks/runs/${run.id}/${type}`, { key: approver, body });
    expect((await decide('reject', { step_id: seen.id, visit: seen.visit })).status).toBe(200);
    await advance(run.id);
    await advance(run.id);
    const again = (await current(run.id)).body.data.current_step;
    expect(again).toMatchObject({ label: 'Sign-off', visit: 3, approval: { state: 'waiting' } });

    const before = (await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent })).body;
    const stale = await decide('approve', { step_id: seen.id, visit: seen.visit });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/^stale command/);
    const elsewhere = await decide('approve', { step_id: 'rbs_000000000000', visit: again.visit });
    expect(elsewhere.status).toBe(409);
    expect((await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key: agent })).body).toEqual(before);

    const bound = await decide('approve', { step_id: again.id, visit: again.visit });
    expect(bound.status).toBe(200);
    expect(bound.body.data.current_step.approval).toMatchObject({ state: 'approved', decided_by: 'apikey:release-manager' });
  });
});
