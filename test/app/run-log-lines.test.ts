// A run's log lines name it: every line the service logs that mentions a run's id carries it
// as `run_id`, from the wait worker's debug line to a refusal and an API failure.
import { afterAll, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import { createLogger } from '../../src/logger.js';
import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { connectMongo } from '../../src/models/connection.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const lines: Record<string, unknown>[] = [];
let app: App | undefined;

afterAll(async () => {
  await app?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

async function until(ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a run’s log lines', () => {
  it('carry run_id wherever they mention the run', async () => {
    const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const config = testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { apiKeyCacheMs: 0 });
    app = await startApp({ config, logger, queuePrefix: redis.prefix(), builtinPlaybooks: false });
    const parsed = parseDefinition({ name: 'Log drill', steps: [{ label: 'Settle', type: 'wait', wait_seconds: 1 }, { label: 'After' }] });
    if (!parsed.ok) throw new Error('bad definition');
    await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'tester' }, publish: true });
    const keys = createApiKeyStore(app.db.conn);
    const agent = (await keys.create('log-agent', ['read', 'run'], { kind: 'cli', id: 'tester' })).key;
    const reader = (await keys.create('log-reader', ['read'], { kind: 'cli', id: 'tester' })).key;
    const call = (method: string, path: string, key: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${app!.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const started = await call('POST', '/v1/runbooks/log-drill/runs', agent, {});
    expect(started.status).toBe(201);
    const runId = ((await started.json()) as { data: { id: string } }).data.id;
    // The wait worker fires the wait by itself (its debug line names the run).
    await until(async () => (await app!.service.get(runId)).status === 'running');
    expect((await call('POST', `/v1/runbooks/runs/${runId}/advance`, reader, {})).status).toBe(403);
    // With the database gone, reading the run fails on our side: the API logs it with the run.
    await app.db.conn.close();
    expect((await call('GET', `/v1/runbooks/runs/${runId}`, agent)).status).toBe(500);

    const mentioning = lines.filter((l) => JSON.stringify(l).includes(runId));
    expect(mentioning.map((l) => l.msg)).toEqual(expect.arrayContaining(['wait fired', 'command refused', 'api request failed']));
    expect(mentioning.filter((l) => l.run_id !== runId)).toEqual([]);
  });
});
