// GET /metrics on the real service (Bolt in HTTP mode, MongoDB, BullMQ, Slack faked at its
// HTTP boundary): a run started over the API, refused to a read-only key, another started
// and clicked in Slack while Slack answers 429, a stale click, a wait lost from Redis and put
// back at restart; each counter moves by exactly what happened and the gauges match the store
// and the queues.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';

import { createRedis } from '../../src/jobs/redis.js';
import { WAIT_QUEUE_NAME } from '../../src/jobs/wait-queue.js';
import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { useBotRig } from '../bot/support/bot-rig.js';
import { startRun } from '../bot/support/run-message.js';
import { parseExposition, seriesOf, valueOf, type Sample } from './support/exposition.js';

// Each scrape reads runs and queues afresh, so a test can look before and after.
const rig = useBotRig({ metricsCacheMs: 0 });

const DRILL = {
  name: 'Metrics drill',
  steps: [
    { label: 'Check', type: 'action' },
    { label: 'Settle', type: 'wait', wait_seconds: 3600 },
    { label: 'After', type: 'action' },
  ],
};

async function scrape(): Promise<{ samples: Sample[]; text: string; contentType: string | null }> {
  const res = await fetch(`http://127.0.0.1:${rig().app.port}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { samples: parseExposition(text), text, contentType: res.headers.get('content-type') };
}

const commands = (s: Sample[], surface: string, command: string, result: string) => valueOf(s, 'runbook_bot_commands_total', { surface, command, result });
const apiRequests = (s: Sample[], method: string, route: string, status: number) => valueOf(s, 'runbook_bot_api_requests_total', { method, route, status: String(status) });

async function apiKey(name: string, scopes: ('read' | 'run')[]): Promise<string> {
  return (await createApiKeyStore(rig().app.db.conn).create(name, scopes, { kind: 'cli', id: 'tester' })).key;
}

const api = (method: string, path: string, key: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${rig().app.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('GET /metrics', () => {
  it('counts commands by surface and result, API requests by route pattern, Slack calls and 429s, and reads runs and queues as they are', async () => {
    const { fake, app, publish } = rig();
    await publish(DRILL);
    const agent = await apiKey('metrics-agent', ['read', 'run']);
    const reader = await apiKey('metrics-reader', ['read']);
    const before = await scrape();
    const updatesBefore = fake.callsTo('chat.update').length;
    const postsBefore = fake.callsTo('chat.postMessage').length;
    expect(before.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    // The bot asked Slack who it is at start-up, through the same timed client.
    expect(valueOf(before.samples, 'runbook_bot_slack_api_duration_seconds_count', { method: 'auth.test' })).toBeGreaterThanOrEqual(1);

    // An agent starts a run over the API; a read-only key may not advance it.
    const started = await api('POST', '/v1/runbooks/metrics-drill/runs', agent, {});
    expect(started.status).toBe(201);
    const apiRun = ((await started.json()) as { data: { id: string } }).data.id;
    expect((await api('POST', `/v1/runbooks/runs/${apiRun}/advance`, reader, {})).status).toBe(403);
    expect((await api('GET', '/v1/no-such-thing', agent)).status).toBe(404);

    // A person starts one in Slack and clicks Done while Slack answers the message update 429 once.
    const live = await startRun(rig, 'metrics-drill');
    const done = live.button('Done');
    fake.fail('chat.update', { status: 429, retryAfterSeconds: 1 });
    const clicked = await live.clickOk('Done');
    expect(clicked.run.status).toBe('waiting');
    // The same button again: its step is over, so the click is stale.
    await live.clickRefused('Done', { button: done });
    await app.notifier?.idle();

    const after = await scrape();
    const s = after.samples;
    expect(commands(s, 'api', 'start', 'applied') - commands(before.samples, 'api', 'start', 'applied')).toBe(1);
    expect(commands(s, 'api', 'advance', 'forbidden') - commands(before.samples, 'api', 'advance', 'forbidden')).toBe(1);
    expect(commands(s, 'slack', 'start', 'applied') - commands(before.samples, 'slack', 'start', 'applied')).toBe(1);
    expect(commands(s, 'slack', 'advance', 'applied') - commands(before.samples, 'slack', 'advance', 'applied')).toBe(1);
    expect(commands(s, 'slack', 'advance', 'conflict') - commands(before.samples, 'slack', 'advance', 'conflict')).toBe(1);

    // Check finished once (an action, completed); no other step has finished.
    expect(valueOf(s, 'runbook_bot_step_duration_seconds_count', { type: 'action', outcome: 'completed' })).toBe(1);
    expect(seriesOf(s, 'runbook_bot_step_duration_seconds_count').reduce((n, x) => n + x.value, 0)).toBe(1);

    // Runs by status, as the store has them: the API's at its first step, the clicked one waiting.
    expect(valueOf(s, 'runbook_bot_runs', { status: 'running' })).toBe(1);
    expect(valueOf(s, 'runbook_bot_runs', { status: 'waiting' })).toBe(1);
    expect(seriesOf(s, 'runbook_bot_runs').reduce((n, x) => n + x.value, 0)).toBe(2);

    // The hour-long wait is one delayed job on the wait queue; nothing is ready and not taken.
    expect(valueOf(s, 'runbook_bot_queue_jobs', { queue: WAIT_QUEUE_NAME, state: 'delayed' })).toBe(1);
    expect(valueOf(s, 'runbook_bot_queue_jobs', { queue: WAIT_QUEUE_NAME, state: 'waiting' })).toBe(0);
    expect(valueOf(s, 'runbook_bot_queue_oldest_waiting_seconds', { queue: WAIT_QUEUE_NAME })).toBe(0);

    // One 429 from chat.update, and one latency sample for each HTTP request the client made.
    const rateLimited = (x: Sample[]) => valueOf(x, 'runbook_bot_slack_api_rate_limited_total', { method: 'chat.update' });
    expect(rateLimited(s) - rateLimited(before.samples)).toBe(1);
    const updateSamples = (x: Sample[]) => valueOf(x, 'runbook_bot_slack_api_duration_seconds_count', { method: 'chat.update' });
    expect(updateSamples(s) - updateSamples(before.samples)).toBe(fake.callsTo('chat.update').length - updatesBefore);
    // Posts too, thread replies included (their own client, with the bot's timed fetch).
    const postSamples = (x: Sample[]) => valueOf(x, 'runbook_bot_slack_api_duration_seconds_count', { method: 'chat.postMessage' });
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(postSamples(s) - postSamples(before.samples)).toBe(fake.callsTo('chat.postMessage').length - postsBefore);

    // Routes by pattern, never the raw path: the run id appears in no label.
    expect(apiRequests(s, 'POST', '/v1/runbooks/:id/runs', 201)).toBe(1);
    expect(apiRequests(s, 'POST', '/v1/runbooks/runs/:run_id/advance', 403)).toBe(1);
    expect(apiRequests(s, 'GET', 'unmatched', 404)).toBe(1);
    expect(after.text).not.toContain(apiRun);
    expect(after.text).not.toContain(live.runId);
  });

  it('counts a wait Redis lost as repaired when the reconciler puts it back at start-up', async () => {
    const connection = createRedis(rig().env.REDIS_URL);
    const queue = new Queue(WAIT_QUEUE_NAME, { connection, prefix: rig().env.QUEUE_PREFIX });
    try {
      const [job] = await queue.getJobs(['delayed']);
      expect(job).toBeDefined();
      await job!.remove();
      expect(valueOf((await scrape()).samples, 'runbook_bot_queue_jobs', { queue: WAIT_QUEUE_NAME, state: 'delayed' })).toBe(0);

      await rig().restart();
      const s = (await scrape()).samples;
      expect(valueOf(s, 'runbook_bot_reconciler_repairs_total', { reconciler: 'waits', action: 'restored' })).toBe(1);
      expect(valueOf(s, 'runbook_bot_queue_jobs', { queue: WAIT_QUEUE_NAME, state: 'delayed' })).toBe(1);
      // The restarted app's registry is its own: the earlier clicks are not counted again.
      expect(commands(s, 'slack', 'advance', 'applied')).toBe(0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
