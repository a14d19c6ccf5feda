import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/env.js';
import { ConfigError, ErrorCode } from '../../src/errors.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe(ErrorCode.Config);
    return (e as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      slackMode: 'auto',
      slackApiUrl: 'https://slack.com/api/',
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      reconcileIntervalMs: 30_000,
      queuePrefix: 'runbook-bot',
      deviceHeartbeatMs: 10_000,
      runnerStalledCheckMs: 30_000,
      apiRateLimit: 600,
      apiKeyCacheMs: 5_000,
    });
  });

  it('reads every variable into camelCase fields', () => {
    const config = loadConfig({
      MONGODB_URI: 'mongodb://db.internal:27017/runbooks',
      FERRETDB_POSTGRESQL_URL: 'postgres://ferret:pw@pg.internal:5432/ferretdb?sslmode=disable',
      REDIS_URL: 'redis://cache:6380/2',
      SLACK_MODE: 'sandbox',
      SLACK_SIGNING_SECRET: 'sig',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_APP_TOKEN: 'xapp-1-2',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      RECONCILE_INTERVAL_MS: '1000',
      QUEUE_PREFIX: 'staging-bot',
      DEVICE_HEARTBEAT_MS: '2000',
      RUNNER_STALLED_CHECK_MS: '5000',
      API_RATE_LIMIT: '120',
      API_KEY_CACHE_MS: '0',
      UNRELATED: 'ignored',
    });

    expect(config).toEqual({
      mongodbUri: 'mongodb://db.internal:27017/runbooks',
      ferretdbPostgresqlUrl: 'postgres://ferret:pw@pg.internal:5432/ferretdb?sslmode=disable',
      redisUrl: 'redis://cache:6380/2',
      slackMode: 'sandbox',
      slackSigningSecret: 'sig',
      slackBotToken: 'xoxb-1-2',
      slackAppToken: 'xapp-1-2',
      slackApiUrl: 'http://127.0.0.1:9999/api/', // a trailing slash is added for WebClient
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'debug',
      reconcileIntervalMs: 1000,
      queuePrefix: 'staging-bot',
      deviceHeartbeatMs: 2000,
      runnerStalledCheckMs: 5000,
      apiRateLimit: 120,
      apiKeyCacheMs: 0,
    });
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', MONGODB_URI: ' ' });

    expect(config.port).toBe(3000);
    expect(config).not.toHaveProperty('mongodbUri');
  });

  it.each([
    ['PORT', 'abc', 'PORT: must be an integer between 1 and 65535 (got "abc")'],
    ['HOST', 'a b', 'HOST: must be a host name or IP address (got "a b")'],
    ['PORT', '0', 'PORT: must be an integer between 1 and 65535 (got "0")'],
    ['PORT', '65536', 'PORT: must be an integer between 1 and 65535 (got "65536")'],
    ['PORT', '80.5', 'PORT: must be an integer between 1 and 65535 (got "80.5")'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be one of debug, info, warn, error (got "verbose")'],
    ['SLACK_MODE', 'http', 'SLACK_MODE: must be one of auto, sandbox, off (got "http")'],
    ['RECONCILE_INTERVAL_MS', '-5', 'RECONCILE_INTERVAL_MS: must be an integer between 100 and 86400000 (got "-5")'],
    ['SLACK_API_URL', 'ftp://slack.com/api/', 'SLACK_API_URL: must be an http(s) URL (got "ftp://slack.com/api/")'],
    ['SLACK_API_URL', 'not a url', 'SLACK_API_URL: must be an http(s) URL (got "not a url")'],
    ['MONGODB_URI', 'postgres://db/x', 'MONGODB_URI: must be a mongodb:// or mongodb+srv:// URI'],
    ['REDIS_URL', '127.0.0.1:6379', 'REDIS_URL: must be a redis:// or rediss:// URL'],
    ...['mongodb://db/x', 'postgres://db', 'postgres://db:5432/', 'host=db dbname=x'].map((value) => [
      'FERRETDB_POSTGRESQL_URL',
      value,
      'FERRETDB_POSTGRESQL_URL: must be a postgres:// or postgresql:// URL naming a database, like postgres://user:password@db.internal:5432/ferretdb',
    ]),
    ['SLACK_BOT_TOKEN', 'xoxp-user-token', 'SLACK_BOT_TOKEN: must start with "xoxb-"'],
    ['SLACK_APP_TOKEN', 'xoxb-wrong-kind', 'SLACK_APP_TOKEN: must start with "xapp-"'],
    ['QUEUE_PREFIX', 'bot:1', 'QUEUE_PREFIX: must be 1 to 64 letters, digits, "_" or "-" (got "bot:1")'],
  ])('rejects %s=%j with one line naming it and the rule', (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it('reports every bad variable at once, one line each', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', SLACK_BOT_TOKEN: 'nope', REDIS_URL: 'x' });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL', 'SLACK_BOT_TOKEN']);
  });

  it('lists the problems in the error message too', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(
      /invalid configuration \(2 problems\):\n {2}PORT: .*\n {2}LOG_LEVEL: /,
    );
  });

  it('reads the alert webhooks settings and names a bad channel', () => {
    expect(loadConfig({ ALERTS_TOKEN: 'a-long-enough-token', ALERTS_CHANNEL: 'C024BE91L' })).toMatchObject({
      alertsToken: 'a-long-enough-token',
      alertsChannel: 'C024BE91L',
    });
    expect(() => loadConfig({ ALERTS_CHANNEL: '#ops' })).toThrow('ALERTS_CHANNEL: must be a Slack channel id like C024BE91L (got "#ops")');
  });

  it('never puts a secret value in a message', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxp-SECRET-BOT',
      SLACK_APP_TOKEN: 'SECRET-APP',
      MONGODB_URI: 'mysql://admin:SECRET-DB@db/x',
      FERRETDB_POSTGRESQL_URL: 'postgres://admin:SECRET-PG@db',
      REDIS_URL: 'http://:SECRET-REDIS@cache',
      ALERTS_TOKEN: 'SECRET-short',
    };
    let err: ConfigError | undefined;
    try {
      loadConfig({ ...secrets, PORT: 'abc' });
    } catch (e) {
      err = e as ConfigError;
    }

    const text = [err?.message, ...(err?.problems ?? []), JSON.stringify(err?.details)].join('\n');
    expect(err?.problems).toHaveLength(7);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    expect(text).not.toContain('SECRET');
  });
});
