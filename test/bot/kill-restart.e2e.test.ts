// The bot process killed outright (SIGKILL: no graceful stop, queued renders lost) in the
// middle of a run and of a wait, then started again: the old message's buttons still work,
// the wait still fires once, and the same message is updated in place.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { decodeRunActionValue } from '../../src/bot/action-value.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createRunbookStore } from '../../src/models/runbook-store.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { blockActionPayload, createSlackSender, DEFAULT_CHANNEL } from '../support/slack-requests.js';

const SECRET = 'kill-test-secret';
const redis = useTestRedis();
const dbName = createTestDbName();
const mongodbUri = () => `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`;
let fake: FakeSlack;
let service: ServiceProcess | undefined;
let prefix: string;

async function startService(): Promise<{ service: ServiceProcess; slack: ReturnType<typeof createSlackSender> }> {
  service = await startServiceProcess({
    MONGODB_URI: mongodbUri(),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-kill-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    QUEUE_PREFIX: prefix,
  });
  return { service, slack: createSlackSender({ url: `http://127.0.0.1:${service.port}/slack/events`, signingSecret: SECRET, responseUrlFor: fake.responseUrl }) };
}

function button(ts: string, actionId: string): string {
  const elements = (fake.message(DEFAULT_CHANNEL.id, ts)?.blocks ?? []).flatMap((b) => (b as { elements?: unknown[] }).elements ?? []);
  const found = elements.find((e) => (e as { action_id?: string }).action_id === actionId) as { value: string } | undefined;
  if (!found) throw new Error(`no ${actionId} button on message ${ts}`);
  return found.value;
}

beforeAll(async () => {
  prefix = redis.prefix();
  fake = await startFakeSlack();
  const conn = await connectMongo(mongodbUri());
  const parsed = parseDefinition({
    name: 'Survives kill',
    steps: [{ label: 'Before' }, { label: 'Settle', type: 'wait', wait_seconds: 3 }, { label: 'After' }, { label: 'Last' }],
  });
  if (!parsed.ok) throw new Error('bad definition');
  await createRunbookStore(conn).save({ source: parsed.source, author: { kind: 'cli', id: 'test' }, publish: true });
  await conn.close();
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await fake?.close();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

describe('a bot killed and started again', () => {
  it('keeps the old message working and fires a wait that was pending when it died', async () => {
    let { service: first, slack } = await startService();
    await slack.command({ text: 'start Survives kill' });
    const ts = (await fake.waitForCall('chat.postMessage')).result?.ts as string;
    const runId = decodeRunActionValue(button(ts, ActionId.Done)).r;

    // Done on "Before": the run enters the 3-second wait. Then the process dies at once.
    await slack.action(blockActionPayload({ messageTs: ts, actionId: ActionId.Done, value: button(ts, ActionId.Done), actionTs: '1.1' }));
    const conn = await connectMongo(mongodbUri());
    const runs = createRunStore(conn);
    for (let i = 0; (await runs.load(runId)).status !== 'waiting'; i += 1) {
      if (i > 100) throw new Error('the run never started waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await first.stop('SIGKILL')).toBeNull();

    ({ service: first, slack } = await startService());
    // The wait fires in the new process and the same message moves on to "After".
    await fake.waitFor(() => JSON.stringify(fake.message(DEFAULT_CHANNEL.id, ts)?.blocks ?? []).includes('After') && button(ts, ActionId.Done), { timeoutMs: 15_000 });
    const afterWait = (await runs.load(runId));
    expect(afterWait.status).toBe('running');
    expect(afterWait.runbook.steps.find((s) => s.id === afterWait.current_step_id)?.label).toBe('After');
    expect((await runs.audit(runId)).filter((e) => e.command === 'wait_elapsed')).toHaveLength(1);

    // The button on the message posted by the first process still works in the second.
    const since = fake.calls.length;
    const click = await slack.action(blockActionPayload({ messageTs: ts, actionId: ActionId.Done, value: button(ts, ActionId.Done), actionTs: '2.2' }));
    expect(click.status).toBe(200);
    await fake.waitForCall('chat.update', (args) => args.ts === ts, { since });
    const moved = (await runs.load(runId));
    expect(moved.runbook.steps.find((s) => s.id === moved.current_step_id)?.label).toBe('Last');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);
    await conn.close();
  });
});
