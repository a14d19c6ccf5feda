// The whole bot as production runs it (startApp: Bolt in HTTP mode, MongoDB, BullMQ), with
// Slack faked at its HTTP boundary: a fake Web API for the bot's calls and signed requests
// for Slack's. One rig per test file; its database and queue prefix are its own.
import { afterAll, afterEach, beforeAll, inject } from 'vitest';

import { startApp, type App } from '../../../src/app/create-app.js';
import type { Config } from '../../../src/config/env.js';
import { parseDefinition } from '../../../src/engine/definition/index.js';
import { silentLogger, type Logger } from '../../../src/logger.js';
import type { BuiltinSyncOptions } from '../../../src/models/builtin-playbooks.js';
import { connectMongo } from '../../../src/models/connection.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../../support/fake-slack.js';
import { createTestDbName } from '../../support/mongo.js';
import { useTestRedis } from '../../support/redis.js';
import { createSlackSender, type SlackSender } from '../../support/slack-requests.js';

export const SIGNING_SECRET = 'rig-signing-secret';
export const PUBLISHER = { kind: 'cli' as const, id: 'test-publisher' };

export interface BotRig {
  fake: FakeSlack;
  app: App;
  slack: SlackSender;
  /** Stops the bot (as SIGTERM would) and starts a new one on the same data. */
  restart(): Promise<void>;
  /** Saves and publishes a definition; returns its name. */
  publish(definition: Record<string, unknown>): Promise<string>;
  /** The environment another process (a device runner) needs to share this bot's database and queues. */
  env: { MONGODB_URI: string; REDIS_URL: string; QUEUE_PREFIX: string };
}

export interface BotRigOptions {
  fake?: FakeSlackOptions;
  logger?: Logger;
  reconcileIntervalMs?: number;
  /** The built-in playbooks are left out unless a test asks for them: each test publishes its own. */
  builtinPlaybooks?: BuiltinSyncOptions | false;
  /** Settings on top of the rig's (e.g. the alert webhooks' token and channel). */
  config?: Partial<Config>;
  /** How long /metrics keeps its scrape-time reads (0: each scrape reads afresh). */
  metricsCacheMs?: number;
}

export function useBotRig(opts: BotRigOptions = {}): () => BotRig {
  const redis = useTestRedis();
  const dbName = createTestDbName();
  let rig: BotRig | undefined;
  let prefix = '';

  const config = (fake: FakeSlack): Config => ({
    mongodbUri: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`,
    redisUrl: redis.url,
    slackApiUrl: fake.apiUrl,
    slackBotToken: 'xoxb-rig-token',
    slackSigningSecret: SIGNING_SECRET,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'error',
    reconcileIntervalMs: opts.reconcileIntervalMs ?? 60_000,
    deviceHeartbeatMs: 10_000,
    runnerStalledCheckMs: 30_000,
    ...opts.config,
  });

  async function boot(fake: FakeSlack): Promise<{ app: App; slack: SlackSender }> {
    const app = await startApp({
      config: config(fake),
      logger: opts.logger ?? silentLogger,
      queuePrefix: prefix,
      builtinPlaybooks: opts.builtinPlaybooks ?? false,
      ...(opts.metricsCacheMs === undefined ? {} : { metricsCacheMs: opts.metricsCacheMs }),
    });
    const slack = createSlackSender({ url: `http://127.0.0.1:${app.port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrlFor: fake.responseUrl });
    return { app, slack };
  }

  beforeAll(async () => {
    prefix = redis.prefix();
    const fake = await startFakeSlack(opts.fake);
    const { app, slack } = await boot(fake);
    const shared = config(fake);
    const current: BotRig = {
      fake,
      app,
      slack,
      env: { MONGODB_URI: shared.mongodbUri as string, REDIS_URL: shared.redisUrl, QUEUE_PREFIX: prefix },
      async restart() {
        await current.app.stop();
        Object.assign(current, await boot(fake));
      },
      async publish(definition) {
        const parsed = parseDefinition(definition);
        if (!parsed.ok) throw new Error(`bad test definition: ${JSON.stringify(parsed.problems)}`);
        await current.app.runbooks.save({ source: parsed.source, author: PUBLISHER, publish: true });
        return parsed.source.name;
      },
    };
    rig = current;
  });

  afterEach(async () => {
    await rig?.app.notifier?.idle();
  });

  afterAll(async () => {
    await rig?.app.stop();
    await rig?.fake.close();
    const conn = await connectMongo(inject('mongodbUri'), dbName);
    await conn.dropDatabase();
    await conn.close();
  });

  return () => {
    if (!rig) throw new Error('the bot rig is only available inside tests');
    return rig;
  };
}
