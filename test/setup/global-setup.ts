// Vitest global setup for the integration project: one MongoDB-compatible server and a
// checked Redis for the whole run; each test file then takes its own database and prefix
// (test/support). MONGODB_URI / REDIS_URL point the suite at servers of your own; without
// MONGODB_URI, the embedded FerretDB runs on FERRETDB_POSTGRESQL_URL when set, else on an
// embedded PostgreSQL in a temporary folder removed after the run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TestProject } from 'vitest/node';

import { startEmbeddedMongo } from '../../src/embedded/ferretdb.js';
import { pingRedis } from '../../src/jobs/redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Redis first: it is the one a developer may have forgotten, and checking it is instant.
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  try {
    await pingRedis(redisUrl);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nThe integration tests need Redis. Start one with\n` +
        `  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
        `or point REDIS_URL at yours (or run only the engine tests: npx vitest run --project unit).`,
    );
  }

  let teardown = async () => {};
  let mongodbUri = process.env.MONGODB_URI;
  if (!mongodbUri) {
    const dataDir = await mkdtemp(join(tmpdir(), 'runbook-bot-ferretdb-'));
    const postgresqlUrl = process.env.FERRETDB_POSTGRESQL_URL?.trim();
    try {
      const mongo = await startEmbeddedMongo({ dataDir, ...(postgresqlUrl ? { postgresqlUrl } : {}) });
      mongodbUri = mongo.uri;
      teardown = async () => {
        await mongo.stop();
        await rm(dataDir, { recursive: true, force: true });
      };
    } catch (e) {
      await rm(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  project.provide('mongodbUri', mongodbUri);
  project.provide('redisUrl', redisUrl);
  return teardown;
}
