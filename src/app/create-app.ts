// The composition root: every long-lived part of the service, wired once, started and
// stopped in order. The agent API plugs in here as it lands.
import { createBotService } from '../bot/bot-service.js';
import { createBot, type Bot } from '../bot/create-bot.js';
import { createHomeService } from '../bot/home-service.js';
import { createRunNotifier, type RunNotifier } from '../bot/run-notifier.js';
import { createGroupResolver } from '../bot/slack-actor.js';
import { slackMode, slackSetupHelp } from '../bot/slack-mode.js';
import type { Config } from '../config/env.js';
import { createRedis, pingRedis } from '../jobs/redis.js';
import { waitEffectHandlers } from '../jobs/wait-effects.js';
import { createWaitScheduler } from '../jobs/wait-queue.js';
import { createWaitReconciler } from '../jobs/wait-reconciler.js';
import { createWaitWorker } from '../jobs/wait-worker.js';
import type { Logger } from '../logger.js';
import { openDatabase } from '../models/open-database.js';
import { createRunMessageStore, type RunMessageStore } from '../models/run-message-store.js';
import { createRunStore } from '../models/run-store.js';
import { createRunbookStore, type RunbookStore } from '../models/runbook-store.js';
import { combineHandlers } from '../services/effect-handlers.js';
import { createRunService, type RunService } from '../services/run-service.js';
import { startHealthServer } from './health-server.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** BullMQ key prefix; one per deployment sharing a Redis. Default: config.queuePrefix, else "runbook-bot". */
  queuePrefix?: string;
  clock?: () => number;
}

/** How long a stop waits for Slack updates still being sent. */
const SLACK_DRAIN_MS = 5_000;

export type App = Awaited<ReturnType<typeof startApp>>;

export async function startApp({ config, logger, queuePrefix = config.queuePrefix ?? 'runbook-bot', clock = Date.now }: AppOptions) {
  const mode = slackMode(config);
  if (mode.kind === 'off') for (const line of slackSetupHelp(mode.missing)) logger.warn(line);
  if (config.mongodbUri === undefined) {
    logger.info('MONGODB_URI is unset: using the embedded FerretDB, data in .data/ferretdb (the first start builds it with Go, about a minute)');
  }
  await pingRedis(config.redisUrl);
  const db = await openDatabase(config);
  logger.info('database ready', { where: db.where });
  const queueConnection = createRedis(config.redisUrl);
  const workerConnection = createRedis(config.redisUrl, { forWorker: true });
  const scheduler = createWaitScheduler({ connection: queueConnection, prefix: queuePrefix });
  const runs = createRunStore(db.conn);
  const runbooks = createRunbookStore(db.conn);
  const messages = createRunMessageStore(db.conn, clock);
  const bot = mode.kind === 'off' ? null : await createBot({ mode, slackApiUrl: config.slackApiUrl, logger });
  const notifier: RunNotifier | null = bot
    ? createRunNotifier({ client: bot.client, messages, loadRun: async (id) => (await runs.load(id)).run, clock, logger })
    : null;
  const service = createRunService({
    runs,
    runbooks,
    effects: combineHandlers(waitEffectHandlers(scheduler), notifier?.handlers ?? {}),
    clock,
    logger,
  });
  const worker = createWaitWorker({ connection: workerConnection, prefix: queuePrefix, service, logger });
  const reconciler = createWaitReconciler({ runs, scheduler, service, logger });
  // Redis may have lost timers while we were down: put them back (or fire them) before serving.
  const report = await reconciler.reconcile();
  logger.info('waits reconciled', { ...report });
  reconciler.start(config.reconcileIntervalMs);
  if (bot && notifier) await listenToSlack(bot, { service, runbooks, messages, notifier, clock, logger });
  const health = await startHealthServer(config.host, config.port, {
    mongodb: async () => {
      await db.conn.db?.admin().ping();
    },
    redis: async () => {
      await queueConnection.ping();
    },
  }, bot?.requestListener);
  logger.info('listening', {
    host: config.host,
    port: health.port,
    health: '/healthz',
    ready: '/readyz',
    slack: mode.kind === 'http' ? '/slack/events' : mode.kind === 'socket' ? 'socket mode' : 'off',
  });

  let stopping: Promise<void> | null = null;
  return {
    service,
    runbooks,
    notifier,
    port: health.port,
    db,
    /** Stops taking work, lets jobs under way finish, then closes connections. Safe to call twice. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await health.close();
        await bot?.stop();
        await reconciler.stop();
        await worker.close();
        await drain(notifier, logger);
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

async function listenToSlack(
  bot: Bot,
  deps: { service: RunService; runbooks: RunbookStore; messages: RunMessageStore; notifier: RunNotifier; clock: () => number; logger: Logger },
): Promise<void> {
  const { service, runbooks, messages, notifier, clock, logger } = deps;
  const groups = createGroupResolver(bot.client, { logger });
  const botService = createBotService({ runs: service, runbooks, notifier, groups, client: bot.client, logger });
  const home = createHomeService({ runs: service, runbooks, messages, client: bot.client, clock, logger });
  await bot.listen({ bot: botService, home, clock, logger });
}

/** Lets queued Slack updates go out before the connections close; gives up after a while. */
async function drain(notifier: RunNotifier | null, logger: Logger): Promise<void> {
  if (!notifier) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SLACK_DRAIN_MS);
  });
  const result = await Promise.race([notifier.idle().then(() => 'idle' as const), timeout]);
  clearTimeout(timer);
  if (result === 'timeout') logger.warn('stopped with Slack updates still queued; the next render after restart shows the whole state');
}
