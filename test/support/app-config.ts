// The service's configuration for tests that start it in-process: loopback, quiet logs,
// a reconcile pass only when the test asks, Slack off (no sandbox either) unless `overrides`
// sets it up.
import type { Config } from '../../src/config/env.js';

export function testAppConfig(db: { mongodbUri: string; dbName: string }, redisUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    mongodbUri: `${db.mongodbUri.replace(/\/$/, '')}/${db.dbName}`,
    redisUrl,
    // Without credentials the service would serve the sandbox; these tests want no Slack.
    ...(overrides.slackBotToken === undefined && { slackMode: 'off' as const }),
    slackApiUrl: 'https://slack.com/api/',
    port: 0,
    host: '127.0.0.1',
    logLevel: 'error',
    reconcileIntervalMs: 60_000,
    deviceHeartbeatMs: 10_000,
    runnerStalledCheckMs: 30_000,
    ...overrides,
  };
}
