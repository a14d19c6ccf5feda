// The model-based scale test: 3 bot instances and 3 device runners as real processes on one
// database and one Redis (one QUEUE_PREFIX), driven with clicks and API calls spread over
// the instances, duplicates, retried deliveries and stale clicks included; every run must end
// as the single-process model of the same commands says (model.ts), with one live message,
// one thread reply per finished step visit and one tool execution per call (checks.ts).
// SCALE_RUNS sets how many runs (default 60, about a minute of driving here);
// `npm run bench -- scale` drives 1,000 at 1, 2 and 3 instances and reports throughput.
import { writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { checkDrive, describeProblems } from './checks.js';
import { startCluster, type Cluster } from './cluster.js';
import { drive } from './driver.js';

const RUNS = Number(process.env.SCALE_RUNS ?? 60);
const SEED = Number(process.env.SCALE_SEED ?? Date.now() % 1_000_000);
const redis = useTestRedis();
const dbName = createTestDbName();
const mongodbUri = () => `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`;
let cluster: Cluster | undefined;

beforeAll(async () => {
  cluster = await startCluster({
    mongodbUri: mongodbUri(),
    redisUrl: redis.url,
    prefix: redis.prefix(),
    instances: 3,
    devices: ['scale-dev-1', 'scale-dev-2', 'scale-dev-3'],
    // The reconcilers and periodic passes run often on every instance, as they would over hours.
    env: { RECONCILE_INTERVAL_MS: '2000' },
  });
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
}, 120_000);

describe('three instances and three runners on one store', () => {
  it(`end ${RUNS} runs as one process would (seed ${SEED}), with no duplicate post, reply or tool call`, async () => {
    const result = await drive({ cluster: cluster!, runs: RUNS, lanes: 12, seed: SEED, observeTimeoutMs: 30_000 });
    const report = await checkDrive(cluster!, result);
    // SCALE_REPORT=FILE keeps every problem and every run's trail, for reading at leisure.
    if (process.env.SCALE_REPORT) await writeFile(process.env.SCALE_REPORT, JSON.stringify({ seed: SEED, problems: report.problems, anomalies: result.anomalies, runs: result.records.map((r) => ({ index: r.index, runId: r.runId, kind: r.kind, via: r.startedVia, trail: r.trail })) }, null, 2));
    const summary = `seed ${SEED}: ${RUNS} runs, ${result.commands} commands in ${result.requests} requests; final ${JSON.stringify(report.statuses)}`;
    expect(report.problems, `${summary}\n\n${describeProblems(report.problems)}`).toEqual([]);
    expect(result.anomalies, summary).toEqual([]);
    expect(report.livePosts).toBe(RUNS);
    expect(report.strayPosts).toBe(0);
  }, 600_000);
});
