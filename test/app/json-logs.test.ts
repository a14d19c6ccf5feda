// Every line the service prints, on stdout or stderr, is one JSON object with `level` and
// `msg` (src/logger.ts): its own lines and its libraries' alike, Bolt's and the Slack Web
// API client's included, from start-up to "stopped".
import { afterAll, describe, expect, inject, it } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { freePort, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const env = () => ({
  MONGODB_URI: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`,
  REDIS_URL: redis.url,
  QUEUE_PREFIX: redis.prefix(),
  // Debug: the libraries say the most there.
  LOG_LEVEL: 'debug',
});
const LEVELS = ['debug', 'info', 'warn', 'error'];

afterAll(async () => {
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

async function printedFromStartToStop(service: ServiceProcess): Promise<ServiceProcess['printed']> {
  expect(await service.stop('SIGTERM')).toBe(0);
  expect(service.lines.at(-1)).toBe('stopped');
  return service.printed;
}

function expectAllJson(printed: ServiceProcess['printed']): Record<string, unknown>[] {
  expect(printed.length).toBeGreaterThan(5);
  const notJson = printed.filter(({ line }) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return !(LEVELS.includes(entry.level as string) && typeof entry.msg === 'string' && typeof entry.time === 'string');
    } catch {
      return true;
    }
  });
  expect(notJson).toEqual([]);
  return printed.map(({ line }) => JSON.parse(line) as Record<string, unknown>);
}

describe('the service log', () => {
  it('is JSON lines only without Slack credentials, from start-up to stop', async () => {
    const service = await startServiceProcess(env());
    expectAllJson(await printedFromStartToStop(service));
  }, 60_000);

  it('is JSON lines only when Slack cannot be reached: the Web API client logs its failed tries through the logger', async () => {
    const closedPort = await freePort();
    const service = await startServiceProcess({
      ...env(),
      SLACK_BOT_TOKEN: 'xoxb-json-logs',
      SLACK_SIGNING_SECRET: 'json-logs-secret',
      SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/`,
    });
    const entries = expectAllJson(await printedFromStartToStop(service));
    expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', from: 'bolt', msg: expect.stringMatching(/^http request failed/) }));
    expect(entries).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringMatching(/^slack did not confirm the bot token/) }));
  }, 60_000);
});
