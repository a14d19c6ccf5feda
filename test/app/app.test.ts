import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { startApp, type App } from '../../src/app/create-app.js';
import type { Config } from '../../src/config/env.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import type { Run } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { deleteKeysUnder, useTestRedis } from '../support/redis.js';
import { startServiceProcess } from '../support/service-process.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const alice = { kind: 'slack' as const, id: 'U0ALICE' };
const config = (): Config => testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url);

const apps: App[] = [];
async function start(): Promise<App> {
  const app = await startApp({ config: config(), logger: silentLogger, queuePrefix: redis.prefix() });
  apps.push(app);
  return app;
}
afterEach(async () => {
  while (apps.length) await apps.pop()?.stop();
});
afterAll(async () => {
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

const get = async (app: App, path: string) => {
  const res = await fetch(`http://127.0.0.1:${app.port}${path}`);
  return { status: res.status, body: await res.json() };
};

async function publishWaitRunbook(app: App, seconds: number): Promise<string> {
  const parsed = parseDefinition({ name: `Wait ${seconds}`, steps: [{ label: 'Settle', type: 'wait', wait_seconds: seconds }, { label: 'After' }] });
  if (!parsed.ok) throw new Error('bad definition');
  await app.runbooks.save({ source: parsed.source, author: alice, publish: true });
  return `Wait ${seconds}`;
}

async function until(read: () => Promise<Run>, ok: (run: Run) => boolean): Promise<Run> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const run = await read();
    if (ok(run) || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the service', () => {
  it('answers health and readiness, and names a dependency that is down', async () => {
    const app = await start();
    expect(await get(app, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(app, '/readyz')).toEqual({ status: 200, body: { mongodb: 'up', redis: 'up' } });
    expect((await get(app, '/nope')).status).toBe(404);
    await app.db.conn.close();
    expect(await get(app, '/readyz')).toEqual({ status: 503, body: { mongodb: 'down', redis: 'up' } });
  });

  it('runs waits with its own worker', async () => {
    const app = await start();
    const run = await app.service.start({ runbook: await publishWaitRunbook(app, 1), actor: alice });
    const after = await until(() => app.service.get(run.id), (r) => r.status === 'running');
    expect(after.current_step_id).toBe(run.runbook.steps[1]?.id);
  });

  it('finishes a wait that fell due while it was stopped and Redis lost its jobs', async () => {
    const first = await start();
    const run = await first.service.start({ runbook: await publishWaitRunbook(first, 2), actor: alice });
    await first.stop();
    await deleteKeysUnder(redis.redis(), redis.prefix());
    await new Promise((r) => setTimeout(r, 2_200));
    const second = await start();
    const after = await second.service.get(run.id);
    expect(after.status).toBe('running');
    expect((await second.service.audit(run.id)).filter((e) => e.command === 'wait_elapsed')).toHaveLength(1);
  });

  it('stops once however often it is asked', async () => {
    const app = await start();
    await Promise.all([app.stop(), app.stop()]);
    await expect(fetch(`http://127.0.0.1:${app.port}/healthz`)).rejects.toThrow();
  });
});

describe('npm start', () => {
  it('refuses a bad environment with one line per problem and exit code 2', async () => {
    const run = promisify(execFile);
    const result = await run('npx', ['tsx', 'src/main.ts'], { env: { ...process.env, PORT: 'abc', LOG_LEVEL: 'loud' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT: must be an integer between 1 and 65535 (got "abc")');
    expect(result.stderr).toContain('LOG_LEVEL: must be one of debug, info, warn, error (got "loud")');
  });

  it('starts without Slack credentials on the sandbox, says first where it is and how to connect a workspace, and stops on SIGTERM', async () => {
    const service = await startServiceProcess({ MONGODB_URI: config().mongodbUri as string, REDIS_URL: redis.url });
    try {
      const url = `http://127.0.0.1:${service.port}/sandbox`;
      expect(service.lines[0]).toContain(`try the bot in the local Slack at ${url}`);
      expect(service.lines.slice(0, 8).join('\n')).toMatch(/SLACK_BOT_TOKEN[\s\S]*SLACK_SIGNING_SECRET[\s\S]*SLACK_APP_TOKEN[\s\S]*manifest\.yml/);
      expect((await fetch(`http://127.0.0.1:${service.port}/healthz`)).status).toBe(200);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/sandbox/app.js">');
      const app = await fetch(`${url}/app.js`);
      expect(app.status).toBe(200);
      expect(app.headers.get('content-type')).toContain('text/javascript');
      expect((await app.text()).length).toBeGreaterThan(1000);
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }
  });
});
