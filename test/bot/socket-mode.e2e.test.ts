// Socket Mode: with SLACK_APP_TOKEN set the bot connects out to Slack over a WebSocket
// instead of taking signed HTTP requests; the same listeners answer.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { testAppConfig } from '../support/app-config.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { blockActionPayload, DEFAULT_CHANNEL, slashCommandFields } from '../support/slack-requests.js';

const redis = useTestRedis();
const dbName = createTestDbName();
let fake: FakeSlack;
let socket: FakeSocketMode;
let app: App;

beforeAll(async () => {
  fake = await startFakeSlack();
  socket = await startFakeSocketMode(fake);
  app = await startApp({
    config: testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, {
      slackApiUrl: fake.apiUrl,
      slackBotToken: 'xoxb-socket-test',
      slackAppToken: 'xapp-socket-test',
    }),
    logger: silentLogger,
    queuePrefix: redis.prefix(),
  });
  await socket.connected();
});

afterAll(async () => {
  await app?.stop();
  await socket?.close();
  await fake?.close();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

describe('Socket Mode', () => {
  it('takes /runbook and clicks over the socket and posts and updates the run message', async () => {
    const parsed = parseDefinition({ name: 'Socket runbook', steps: [{ label: 'One' }, { label: 'Two' }] });
    if (!parsed.ok) throw new Error('bad definition');
    await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'test' }, publish: true });

    await socket.send('slash_commands', slashCommandFields({ text: 'start Socket runbook' }, fake.responseUrl));
    const posted = await fake.waitForCall('chat.postMessage');
    const ts = posted.result?.ts as string;
    const elements = (fake.message(DEFAULT_CHANNEL.id, ts)?.blocks ?? []).flatMap((b) => (b as { elements?: unknown[] }).elements ?? []);
    const done = elements.find((e) => (e as { action_id?: string }).action_id === ActionId.Done) as { value: string } | undefined;
    expect(done).toBeDefined();

    await socket.send('interactive', blockActionPayload({ messageTs: ts, actionId: ActionId.Done, value: done!.value }));
    await fake.waitForCall('chat.update', (args) => args.ts === ts);
    const [run] = await app.service.list({});
    expect((await app.service.get(run!.id)).steps.map((s) => s.status)).toEqual(['completed', 'active']);
  });

  it('still serves health on its own port', async () => {
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
  });
});
