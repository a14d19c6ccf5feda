// The start-up step that installs the built-in playbooks: it logs what it did, a failure is
// logged and never stops the service, and the service starts with the built-ins published.
import { join } from 'node:path';
import { tmpdir } from 'node:os';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { syncBuiltinsAtStart } from '../../src/app/builtin-sync.js';
import { startApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/env.js';
import type { Logger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { createTestDbName, useTestDatabase } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';

type Line = [level: keyof Logger, msg: string, ctx: Record<string, unknown> | undefined];

function captureLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: keyof Logger) => (msg: string, ctx?: Record<string, unknown>) => void lines.push([level, msg, ctx]);
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const db = useTestDatabase();
let store: RunbookStore;

beforeAll(() => {
  store = createRunbookStore(db.conn());
});

describe('syncBuiltinsAtStart', () => {
  it('logs how many built-ins it created, then that all three were unchanged on the next start', async () => {
    const first = captureLogger();
    const second = captureLogger();

    await syncBuiltinsAtStart(store, first.logger);
    await syncBuiltinsAtStart(store, second.logger);

    expect(first.lines).toEqual([['info', 'built-in playbooks synced', { created: 3, updated: 0, unchanged: 0, skipped: 0 }]]);
    expect(second.lines).toEqual([['info', 'built-in playbooks synced', { created: 0, updated: 0, unchanged: 3, skipped: 0 }]]);
  });

  it('logs a failure as an error and returns instead of throwing', async () => {
    const { logger, lines } = captureLogger();

    await syncBuiltinsAtStart(store, logger, { dir: join(tmpdir(), 'runbook-bot-no-such-playbooks-dir') });

    expect(lines).toEqual([['error', expect.stringContaining('built-in playbooks not synced'), { error: expect.stringContaining('ENOENT') }]]);
  });

  it('does nothing when turned off', async () => {
    const { logger, lines } = captureLogger();
    await syncBuiltinsAtStart(store, logger, false);
    expect(lines).toEqual([]);
  });
});

describe('the service at start', () => {
  const redis = useTestRedis();
  const dbName = createTestDbName();

  afterAll(async () => {
    const conn = await connectMongo(inject('mongodbUri'), dbName);
    await conn.dropDatabase();
    await conn.close();
  });

  it('has the three built-in playbooks published before it serves', async () => {
    const { logger, lines } = captureLogger();
    // SLACK_MODE=off: the sandbox would add its example runbook to the catalogue.
    const config = { ...loadConfig({ MONGODB_URI: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`, REDIS_URL: redis.url, SLACK_MODE: 'off' }), port: 0 };
    const app = await startApp({ config, logger, queuePrefix: redis.prefix() });
    try {
      const page = await app.runbooks.list({ status: 'published' });
      expect(page.items.map((r) => [r.name, r.builtin])).toEqual([
        ['Disk Cleanup', true],
        ['Memory Pressure Relief', true],
        ['Service Restart', true],
      ]);
      expect(lines).toContainEqual(['info', 'built-in playbooks synced', { created: 3, updated: 0, unchanged: 0, skipped: 0 }]);
    } finally {
      await app.stop();
    }
  });
});
