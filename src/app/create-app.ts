// The composition root: every long-lived part of the service, wired once, started and
// stopped in order. Slack listeners and the agent API plug in here as they land.
import type { Config } from '../config/env.js';
import { createRedis, pingRedis } from '../jobs/redis.js';
import { waitEffectHandlers } from '../jobs/wait-effects.js';
import { createWaitScheduler } from '../jobs/wait-queue.js';
import { createWaitReconciler } from '../jobs/wait-reconciler.js';
import { createWaitWorker } from '../jobs/wait-worker.js';
import type { Logger } from '../logger.js';
import { openDatabase } from '../models/open-database.js';
import { createRunStore } from '../models/run-store.js';
import { createRunbookStore } from '../models/runbook-store.js';
import { createRunService } from '../services/run-service.js';
import { startHealthServer } from './health-server.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** BullMQ key prefix; one per deployment sharing a Redis. */
  queuePrefix?: string;
}

export type App = Awaited<ReturnType<typeof startApp>>;

export async function startApp({ config, logger, queuePrefix = 'runbook-bot' }: AppOptions) {
  await pingRedis(config.redisUrl);
  const db = await openDatabase(config);
  logger.info('database ready', { where: db.where });
  const queueConnection = createRedis(config.redisUrl);
  const workerConnection = createRedis(config.redisUrl, { forWorker: true });
  const scheduler = createWaitScheduler({ connection: queueConnection, prefix: queuePrefix });
  const runs = createRunStore(db.conn);
  const runbooks = createRunbookStore(db.conn);
  const service = createRunService({ runs, runbooks, effects: waitEffectHandlers(scheduler), logger });
  const worker = createWaitWorker({ connection: workerConnection, prefix: queuePrefix, service, logger });
  const reconciler = createWaitReconciler({ runs, scheduler, service, logger });
  // Redis may have lost timers while we were down: put them back (or fire them) before serving.
  const report = await reconciler.reconcile();
  logger.info('waits reconciled', { ...report });
  reconciler.start(config.reconcileIntervalMs);
  const health = await startHealthServer(config.host, config.port, {
    mongodb: async () => {
      await db.conn.db?.admin().ping();
    },
    redis: async () => {
      await queueConnection.ping();
    },
  });
  logger.info('listening', { host: config.host, port: health.port, health: '/healthz', ready: '/readyz' });

  let stopping: Promise<void> | null = null;
  return {
    service,
    runbooks,
    port: health.port,
    db,
    /** Stops taking work, lets jobs under way finish, then closes connections. Safe to call twice. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await health.close();
        await reconciler.stop();
        await worker.close();
        await scheduler.close();
        queueConnection.disconnect();
        workerConnection.disconnect();
        await db.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
