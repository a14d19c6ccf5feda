// One run, every surface: a run an agent starts with a channel gets the same live Slack
// message; the agent's advances update it; a person's Slack approval unblocks the agent; a
// run started in Slack is read and driven over the API.
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { useBotRig } from '../bot/support/bot-rig.js';
import { liveRun, startRun, textOf } from '../bot/support/run-message.js';
import { DEFAULT_CHANNEL } from '../support/slack-requests.js';

const rig = useBotRig();
let agent = '';

beforeAll(async () => {
  agent = (await createApiKeyStore(rig().app.db.conn).create('ops-agent', ['read', 'run', 'author'], { kind: 'cli', id: 'tester' })).key;
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${rig().app.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${agent}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('an agent’s run in Slack', () => {
  it('posts the live message, updates it as the agent advances, and lets a Slack approver unblock the agent', async () => {
    await rig().publish({ name: 'Rotate certs', steps: [{ label: 'Renew', instruction: 'Renew the cert.' }, { label: 'Sign-off', type: 'gate', approvers: ['U0BOB'] }, { label: 'Reload' }] });
    const runbook = (await call('GET', '/v1/runbooks?q=rotate')).body.data[0];
    const started = await call('POST', `/v1/runbooks/${runbook.id}/runs`, { channel: DEFAULT_CHANNEL.id });
    expect(started.status).toBe(201);
    const slack = started.body.data.slack;
    expect(slack).toMatchObject({ channel: DEFAULT_CHANNEL.id, ts: expect.any(String) });
    const live = liveRun(rig, { channel: DEFAULT_CHANNEL.id, ts: slack.ts, runId: started.body.data.id });
    expect(live.text()).toContain('Renew the cert.');
    expect(live.text()).toContain('ops-agent');

    await call('POST', `/v1/runbooks/runs/${live.runId}/advance`, { notes: 'renewed' });
    await vi.waitFor(() => expect(live.text()).toContain('Needs approval from <@U0BOB>'), { timeout: 5000 });
    expect(live.labels()).toContain('Approve');

    const blocked = await call('POST', `/v1/runbooks/runs/${live.runId}/advance`, {});
    expect(blocked.body.error.code).toBe('awaiting_approval');

    await live.clickOk('Approve', { user: 'U0BOB' });
    const seen = await call('GET', `/v1/runbooks/runs/${live.runId}/current`);
    expect(seen.body.data.current_step).toMatchObject({ label: 'Sign-off', outcome: 'approved', approval: { state: 'approved', decided_by: 'U0BOB' } });
    await vi.waitFor(() => expect(live.labels()).not.toContain('Approve'), { timeout: 5000 });
    expect(live.text()).toMatch(/Approved by <@U0BOB>/);

    const moved = await call('POST', `/v1/runbooks/runs/${live.runId}/advance`, {});
    expect(moved.body.data.current_step.label).toBe('Reload');
    await vi.waitFor(() => expect(textOf(rig().fake.message(DEFAULT_CHANNEL.id, slack.ts))).toContain('Reload'), { timeout: 5000 });
  });

  it('lets the API read and drive a run started in Slack', async () => {
    await rig().publish({ name: 'Restart web', steps: [{ label: 'Drain', instruction: 'Drain traffic.' }, { label: 'Restart' }] });
    const live = await startRun(rig, 'Restart web');
    const read = await call('GET', `/v1/runbooks/runs/${live.runId}`);
    expect(read.body.data).toMatchObject({ status: 'running', driver: 'person', started_by: 'U0ALICE', current_step: { label: 'Drain' } });
    const before = (await live.snapshot()).run.audit_seq;
    await call('POST', `/v1/runbooks/runs/${live.runId}/advance`, { notes: 'drained by the agent' });
    await vi.waitFor(async () => expect((await live.snapshot()).run.audit_seq).toBeGreaterThan(before), { timeout: 5000 });
    await vi.waitFor(() => expect(live.text()).toContain('Restart'), { timeout: 5000 });
    const { audit } = await live.snapshot();
    expect(audit.at(-1)).toMatchObject({ command: 'advance', actor: { kind: 'api', id: 'apikey:ops-agent' } });
  });
});

