// A cluster (cluster.ts) for one test file: started before its tests on a database and a
// queue prefix of its own, stopped and its database dropped after them.
import { afterAll, beforeAll, inject } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.js';

export function useCluster(opts: Omit<ClusterOptions, 'mongodbUri' | 'redisUrl' | 'prefix'>): () => Cluster {
  const redis = useTestRedis();
  const dbName = createTestDbName();
  let cluster: Cluster | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ ...opts, mongodbUri: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`, redisUrl: redis.url, prefix: redis.prefix() });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    const conn = await connectMongo(inject('mongodbUri'), dbName);
    await conn.dropDatabase();
    await conn.close();
  }, 120_000);

  return () => {
    if (!cluster) throw new Error('the cluster is only available inside tests');
    return cluster;
  };
}
