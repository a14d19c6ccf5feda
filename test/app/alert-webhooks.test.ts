// POST /alerts/alertmanager and POST /alerts on the running service: bearer token, checked
// bodies, and one stored alert per fingerprint however often it is delivered.
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { createAlertStore } from '../../src/models/alert-store.js';
import { connectMongo } from '../../src/models/connection.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const TOKEN = 'test-alerts-token-0123456789';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

let app: App;
beforeAll(async () => {
  const config = testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { alertsToken: TOKEN, alertsChannel: 'C0ALERTS' });
  app = await startApp({ config, logger: silentLogger, queuePrefix: redis.prefix(), builtinPlaybooks: false });
});
afterAll(async () => {
  await app?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

async function post(path: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(`http://127.0.0.1:${app.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const store = () => createAlertStore(app.db.conn);

describe('alert webhooks', () => {
  it('refuses a missing or wrong token with 401 and stores nothing', async () => {
    const before = await store().count();
    expect((await post('/alerts/alertmanager', fixture('alertmanager-webhook-v4.json'), null)).status).toBe(401);
    expect((await post('/alerts', fixture('generic-alert.json'), 'wrong-token-wrong-token')).status).toBe(401);
    expect(await store().count()).toBe(before);
  });

  it('refuses malformed JSON and a body that is not an Alertmanager or Grafana webhook with 400 and the reasons, storing nothing', async () => {
    const before = await store().count();
    const notJson = await post('/alerts/alertmanager', '{"alerts": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^body is not JSON: /);
    const malformed = await post('/alerts/alertmanager', fixture('alertmanager-webhook-malformed.json'));
    expect(malformed.status).toBe(400);
    const problems = malformed.body.problems as string[];
    expect(problems.some((p) => p.startsWith('status:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alerts[0].labels:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alerts[1].startsAt:'))).toBe(true);
    const otherVersion = await post('/alerts/grafana', { ...(fixture('alertmanager-webhook-v4.json') as object), version: '2' });
    expect(otherVersion.body.problems).toEqual(['version: must be "4" (Alertmanager) or "1" (Grafana) (got "2")']);
    expect(await store().count()).toBe(before);
  });

  it('stores each alert of an Alertmanager webhook once, however often it is delivered', async () => {
    const body = fixture('alertmanager-webhook-v4.json');
    const first = await post('/alerts/alertmanager', body);
    expect(first.status).toBe(200);
    const outcomes = (first.body.alerts as Array<{ status: string; outcome: string; fingerprint: string }>).map((a) => [a.status, a.outcome]);
    expect(outcomes).toEqual([
      ['firing', 'new'],
      ['resolved', 'repeat'],
    ]);
    const again = await post('/alerts/alertmanager', body);
    expect((again.body.alerts as Array<{ outcome: string }>).map((a) => a.outcome)).toEqual(['repeat', 'repeat']);
    const [firing] = first.body.alerts as Array<{ fingerprint: string }>;
    expect(await store().get(firing!.fingerprint)).toMatchObject({ status: 'firing', notifications: 2, channel: 'C0ALERTS' });
  });

  it('marks a firing alert resolved when its resolved notification comes, and a new episode when it fires again', async () => {
    const firing = { ...fixture('generic-alert.json'), summary: 'cache down', type: 'service_down', fingerprint: 'cache-down-1' };
    expect((await post('/alerts', firing)).body.alerts).toMatchObject([{ outcome: 'new' }]);
    expect((await post('/alerts', { ...firing, status: 'resolved' })).body.alerts).toMatchObject([{ outcome: 'resolved' }]);
    expect(await store().get('cache-down-1')).toMatchObject({ status: 'resolved', resolved_at: expect.any(Number) });
    expect((await post('/alerts', firing)).body.alerts).toMatchObject([{ outcome: 'refired' }]);
    expect(await store().get('cache-down-1')).toMatchObject({ status: 'firing', resolved_at: null, notifications: 3 });
  });

  it('stores one alert when the same new alert is delivered ten times at once', async () => {
    const alert = { ...fixture('generic-alert.json'), fingerprint: 'burst-1' };
    const replies = await Promise.all(Array.from({ length: 10 }, () => post('/alerts', alert)));
    const outcomes = replies.map((r) => (r.body.alerts as Array<{ outcome: string }>)[0]!.outcome);
    expect(outcomes.filter((o) => o === 'new')).toHaveLength(1);
    expect(await store().get('burst-1')).toMatchObject({ notifications: 10 });
  });

  it('answers only POST on the alert routes and leaves other paths alone', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/alerts`);
    expect(res.status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${app.port}/nope`)).status).toBe(404);
  });
});
