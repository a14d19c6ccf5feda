// The sandbox end to end over its HTTP API, as the page uses it: the real service in
// sandbox mode (no Slack credentials), a command typed in the composer, clicks by two
// people, what each of them sees live on the event stream, and bad input refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { buttonOf, messages, sandboxPage, type PageMessage } from '../support/sandbox-page.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const CHANNEL = 'C0OPS';
let app: App;
let base: string;
const { openStream, post } = sandboxPage(() => base);

beforeAll(async () => {
  app = await startApp({
    config: testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { slackMode: 'sandbox' }),
    logger: silentLogger,
    queuePrefix: redis.prefix(),
    builtinPlaybooks: false,
  });
  base = `http://127.0.0.1:${app.port}/sandbox`;
  const parsed = parseDefinition({
    name: 'Sandbox deploy',
    steps: [
      { label: 'Announce the deploy', instruction: 'Say it in the channel.' },
      { label: 'Approve the release', type: 'gate', approvers: ['U0BOB'] },
      { label: 'Deploy' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'test' }, publish: true });
});

afterAll(async () => {
  await app?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

describe('the sandbox', () => {
  it('runs a runbook from the composer: the run message appears live, Done advances it, only the approver passes the gate', async () => {
    const alice = await openStream('U0ALICE');
    const bob = await openStream('U0BOB');
    try {
      const started = await post('command', { user: 'U0ALICE', channel: CHANNEL, text: 'start Sandbox deploy' });
      expect(started.status).toBe(200);
      const live = await alice.waitFor((events) => messages(events).find((m) => !m.thread_ts && buttonOf(m, ActionId.Done)));
      // Everyone sees the run message, as in a channel.
      await bob.waitFor((events) => messages(events).find((m) => m.ts === live.ts));

      const done = buttonOf(live, ActionId.Done)!;
      expect((await post('action', { user: 'U0ALICE', channel: CHANNEL, message_ts: live.ts, action_id: ActionId.Done, block_id: 'actions', value: done.value })).status).toBe(200);
      const atGate = await alice.waitFor((events) => messages(events).find((m) => m.ts === live.ts && m.edited && buttonOf(m, ActionId.Approve)));

      // Alice is not among the gate's approvers: she alone is told so, and the run stays at the gate.
      const approve = buttonOf(atGate, ActionId.Approve)!;
      await post('action', { user: 'U0ALICE', channel: CHANNEL, message_ts: live.ts, action_id: ActionId.Approve, block_id: 'actions', value: approve.value });
      const refusal = await alice.waitFor((events) => messages(events).find((m) => m.ephemeral_to === 'U0ALICE'));
      expect(refusal.text.toLowerCase()).toContain('approv');
      expect(messages(bob.events).some((m) => m.ephemeral_to !== undefined)).toBe(false);

      await post('action', { user: 'U0BOB', channel: CHANNEL, message_ts: live.ts, action_id: ActionId.Approve, block_id: 'actions', value: approve.value });
      // The last step's Done (its value pins that step, unlike the first step's).
      const deploy = await bob.waitFor((events) => messages(events).find((m) => m.ts === live.ts && buttonOf(m, ActionId.Done) && buttonOf(m, ActionId.Done)!.value !== done.value));

      // A reload shows the same: the state endpoint has the message as it is now.
      const state = (await (await fetch(`${base}/api/state?user=U0ALICE`)).json()) as { messages: PageMessage[]; users: unknown[] };
      expect(state.users.length).toBeGreaterThanOrEqual(2);
      const now = state.messages.find((m) => m.ts === live.ts)!;
      expect(buttonOf(now, ActionId.Done)!.value).toBe(buttonOf(deploy, ActionId.Done)!.value);
      expect(state.messages.filter((m) => m.ephemeral_to === 'U0ALICE').length).toBeGreaterThanOrEqual(1);
      const bobState = (await (await fetch(`${base}/api/state?user=U0BOB`)).json()) as { messages: PageMessage[] };
      expect(bobState.messages.some((m) => m.ephemeral_to === 'U0ALICE')).toBe(false);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it('posts a sample Alertmanager alert into the channel', async () => {
    const page = await openStream('U0ALICE');
    try {
      const welcome = (await (await fetch(`${base}/api/state`)).json()) as { messages: PageMessage[] };
      expect(welcome.messages[0]!.username).toBe('Sandbox guide');
      expect(welcome.messages[0]!.text).toContain('/runbook start Deploy example');
      expect((await post('alert', { channel: CHANNEL })).status).toBe(200);
      const alert = await page.waitFor((events) => messages(events).find((m) => m.username === 'AlertManager'));
      expect(JSON.stringify(alert.blocks)).toContain('[FIRING:1] ServiceDown');
    } finally {
      page.close();
    }
  });

  it('refuses bad input with a message that names the field, and changes nothing', async () => {
    // The earlier tests' last posts (the alert's card) land first.
    const read = async () => (await (await fetch(`${base}/api/state?user=U0ALICE`)).json()) as { messages: unknown[] };
    let before = await read();
    for (let i = 0; i < 20; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = await read();
      if (JSON.stringify(again) === JSON.stringify(before)) break;
      before = again;
    }
    const unknown = await post('command', { user: 'U0NOBODY', channel: CHANNEL, text: 'list' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^user: must be one of the sandbox's people: U0ALICE/);
    const both = await post('action', { user: 'U0ALICE', action_id: 'x', channel: CHANNEL });
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: string }).error).toContain('give channel and message_ts');
    const notJson = await fetch(`${base}/api/command`, { method: 'POST', body: 'nope' });
    expect(((await notJson.json()) as { error: string }).error).toBe('body must be JSON');
    expect((await fetch(`${base}/api/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    const after = await read();
    expect(after.messages).toEqual(before.messages);
  });
});
