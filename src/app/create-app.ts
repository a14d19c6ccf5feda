// The composition root: every long-lived part of the service, wired once, started and
// stopped in order. The agent API plugs in here as it lands.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';

import type { FetchFunction } from '@slack/web-api';

import { createApi } from '../api/create-api.js';
import { createAuthenticator } from '../api/authenticate.js';
import { createIdempotencyStore } from '../api/idempotency-store.js';
import { createRateLimiter } from '../api/rate-limiter.js';
import { describeAlertConfig, loadAlertConfig, type AlertConfig } from '../alerts/rules-file.js';
import { createMcpHttp, MCP_PATH } from '../mcp/mcp-http.js';
import { createAlertWebhooks } from '../alerts/webhook-intake.js';
import { createSlackAlertCards } from '../bot/alert-cards.js';
import { createBotService } from '../bot/bot-service.js';
import { createBot, type Bot } from '../bot/create-bot.js';
import { createHomeService } from '../bot/home-service.js';
import { createRunNotifier, type RunNotifier } from '../bot/run-notifier.js';
import { createGroupResolver } from '../bot/slack-actor.js';
import { slackMode, slackSetupHelp } from '../bot/slack-mode.js';
import { SLACK_EVENTS_PATH } from '../bot/slack-receiver.js';
import { startDemoDevice, type DemoDevice } from '../sandbox/demo/demo-device.js';
import { ensureExampleRunbooks } from '../sandbox/example-runbook.js';
import { grantSandboxPermissions } from '../sandbox/people.js';
import { SANDBOX_BOT_TOKEN, SANDBOX_CHANNELS, SANDBOX_PATH, startSandbox } from '../sandbox/sandbox.js';
import type { Config } from '../config/env.js';
import { createPassClaim } from '../jobs/pass-claim.js';
import { createPeriodicPass } from '../jobs/periodic-pass.js';
import { createRedis, pingRedis } from '../jobs/redis.js';
import { createToolDispatcher } from '../jobs/tool-dispatcher.js';
import { toolEffectHandlers } from '../jobs/tool-effects.js';
import { createToolReconciler } from '../jobs/tool-reconciler.js';
import { loadResultSeal } from '../jobs/result-seal.js';
import { createRunnerEventWorker } from '../jobs/runner-events.js';
import { createToolResultWorker } from '../jobs/tool-result-worker.js';
import { waitEffectHandlers } from '../jobs/wait-effects.js';
import { createWaitScheduler } from '../jobs/wait-queue.js';
import { createWaitReconciler } from '../jobs/wait-reconciler.js';
import { createWaitWorker } from '../jobs/wait-worker.js';
import type { Logger } from '../logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { createQueueProbe } from '../metrics/queue-probe.js';
import { registerScrapeGauges } from '../metrics/scrape-gauges.js';
import { createTimedSlackFetch } from '../metrics/slack-fetch.js';
import { createAlertStore, type AlertStore } from '../models/alert-store.js';
import { createApiKeyStore } from '../models/api-key-store.js';
import type { BuiltinSyncOptions } from '../models/builtin-playbooks.js';
import { createDeviceStore, type DeviceStore } from '../models/device-store.js';
import { openDatabase } from '../models/open-database.js';
import { createAccessStore } from '../models/access-store.js';
import { createDeviceCredentialStore } from '../models/device-credential-store.js';
import { createPermissionStore } from '../models/permission-store.js';
import { createRunMessageStore, type RunMessageStore } from '../models/run-message-store.js';
import { createRunStore } from '../models/run-store.js';
import { createRunbookStore, type RunbookStore } from '../models/runbook-store.js';
import { combineHandlers } from '../services/effect-handlers.js';
import { createRunService, type RunService } from '../services/run-service.js';
import { createAlertService, type AlertService } from '../services/alerts.js';
import { createDevices } from '../services/devices.js';
import { createAccess, describeEnforcement, type Access } from '../services/access.js';
import { createRunbooks, type Runbooks } from '../services/runbooks.js';
import { createRuns, type Runs } from '../services/runs.js';
import { syncBuiltinsAtStart } from './builtin-sync.js';
import { startHealthServer } from './health-server.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** BullMQ key prefix; one per deployment sharing a Redis. Default: config.queuePrefix, else "runbook-bot". */
  queuePrefix?: string;
  clock?: () => number;
  /** Where the built-in playbooks come from (default playbooks/); false leaves them out. */
  builtinPlaybooks?: BuiltinSyncOptions | false;
  /** How long one read of runs by status and queue depths serves later scrapes of /metrics (default 5 s). */
  metricsCacheMs?: number;
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** How often commands whose commit the store did not confirm are looked at again. */
const SETTLE_INTERVAL_MS = 5_000;

/** How long a stop waits for Slack updates still being sent. */
const SLACK_DRAIN_MS = 5_000;

export type App = Awaited<ReturnType<typeof startApp>>;

export async function startApp({ config, logger, queuePrefix = config.queuePrefix ?? 'runbook-bot', clock = Date.now, builtinPlaybooks, metricsCacheMs }: AppOptions) {
  const mode = slackMode(config);
  // A bad rules file stops the start before anything is started.
  const alertConfig = await loadAlertConfig(config.alertRulesFile);
  // The sandbox is the bot's Slack when no workspace is configured: its Web API stands in for
  // slack.com and it signs what people do in the browser with a secret made for this start.
  const sandbox = mode.kind === 'sandbox' ? await startSandbox(logger) : null;
  if (mode.kind === 'sandbox' || mode.kind === 'off') {
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port === 0 ? 'PORT' : config.port}${SANDBOX_PATH}`;
    for (const line of slackSetupHelp(mode, sandbox ? url : null)) logger.warn(line);
  }
  const botMode = sandbox
    ? ({ kind: 'http', botToken: SANDBOX_BOT_TOKEN, signingSecret: sandbox.signingSecret } as const)
    : mode.kind === 'http' || mode.kind === 'socket'
      ? mode
      : null;
  const slackApiUrl = sandbox?.apiUrl ?? config.slackApiUrl;
  if (config.mongodbUri === undefined) {
    const store = config.ferretdbPostgresqlUrl === undefined ? 'an embedded PostgreSQL' : 'the PostgreSQL at FERRETDB_POSTGRESQL_URL';
    logger.info(`MONGODB_URI is unset: using the embedded FerretDB on ${store}, data folder .data`);
  }
  await pingRedis(config.redisUrl);
  const db = await openDatabase(config, { logger });
  logger.info('database ready', { where: db.where });
  const queueConnection = createRedis(config.redisUrl);
  const workerConnection = createRedis(config.redisUrl, { forWorker: true });
  // The API's own: on BullMQ's connection each MULTI also carries BullMQ's defined scripts, which
  // bench/api-throughput.ts measured at several times the cost of a plain connection's.
  const apiConnection = createRedis(config.redisUrl);
  const scheduler = createWaitScheduler({ connection: queueConnection, prefix: queuePrefix });
  const seal = await loadResultSeal(db.conn);
  const dispatcher = createToolDispatcher({ connection: queueConnection, prefix: queuePrefix, seal, clock });
  const runs = createRunStore(db.conn);
  const runbooks = createRunbookStore(db.conn);
  await syncBuiltinsAtStart(runbooks, logger, builtinPlaybooks);
  if (sandbox) await ensureExampleRunbooks(runbooks, logger);
  const messages = createRunMessageStore(db.conn, clock);
  const devices = createDeviceStore(db.conn, { heartbeatMs: config.deviceHeartbeatMs, now: clock });
  // One registry per app, handed to every part that records; the gauges read at scrape time.
  const metrics = createMetrics();
  const queueProbe = createQueueProbe({ connection: queueConnection, prefix: queuePrefix, deviceIds: () => devices.ids(), clock });
  registerScrapeGauges(metrics, { runCounts: () => runs.countByStatus(), queueDepths: () => queueProbe.depths(), ...(metricsCacheMs === undefined ? {} : { cacheMs: metricsCacheMs }) });
  const permissions = createPermissionStore(db.conn, clock);
  if (sandbox) await grantSandboxPermissions(permissions, logger);
  const accessState = createAccessStore(db.conn, clock);
  const access = createAccess({ grants: permissions, state: accessState, logger });
  logger.info(describeEnforcement(await accessState.enforcedSince()));
  const slackFetch = createTimedSlackFetch(metrics);
  const bot = botMode ? await createBot({ mode: botMode, slackApiUrl, logger, fetch: slackFetch }) : null;
  const notifier: RunNotifier | null = bot
    ? createRunNotifier({
        client: bot.client,
        slackFetch,
        messages,
        loadRun: (id) => runs.load(id),
        deviceOnline: async (id) => (await devices.get(id))?.status === 'online',
        clock,
        logger,
      })
    : null;
  const service = createRunService({
    runs,
    runbooks,
    devices,
    effects: combineHandlers(waitEffectHandlers(scheduler), toolEffectHandlers(dispatcher), notifier?.handlers ?? {}),
    clock,
    logger,
    metrics,
  });
  const runsApp = createRuns({
    runs: service,
    store: runs,
    runbooks,
    permissions,
    devices,
    access,
    ...(notifier ? { publish: async (run, channel) => {
      const location = await notifier.publish(run, { channel });
      return { channel: location.channel, ts: location.ts };
    } } : {}),
  });
  const worker = createWaitWorker({ connection: workerConnection, prefix: queuePrefix, service, logger });
  const credentials = createDeviceCredentialStore(db.conn, { now: clock });
  const toolResults = createToolResultWorker({ connection: workerConnection, prefix: queuePrefix, service, runs, credentials, seal, dispatcher, logger });
  const runnerEvents = createRunnerEventWorker({ connection: workerConnection, prefix: queuePrefix, devices, credentials, clock, logger });
  const reconciler = createWaitReconciler({ runs, scheduler, service, logger, metrics });
  const toolReconciler = createToolReconciler({ runs, dispatcher, logger, metrics });
  // Redis may have lost timers and tool calls while we were down: put them back (or fire them) before serving.
  logger.info('waits reconciled', { ...(await reconciler.reconcile()) });
  logger.info('tool calls reconciled', { ...(await toolReconciler.reconcile()) });
  // Every instance reconciles once as it starts (it cannot know what Redis lost meanwhile);
  // after that, each interval's pass runs on one instance.
  const passClaim = createPassClaim(queueConnection, queuePrefix, `${hostname()}-${process.pid}-${randomUUID()}`);
  // Commands this instance sent while the store stopped answering: their outcome, once it answers.
  const settler = createPeriodicPass('settle unknown commits', service.settle, logger);
  settler.start(SETTLE_INTERVAL_MS);
  reconciler.start(config.reconcileIntervalMs, passClaim);
  toolReconciler.start(config.reconcileIntervalMs, passClaim);
  const demo = sandbox ? await startSandboxDemo({ conn: db.conn, redisUrl: config.redisUrl, prefix: queuePrefix, heartbeatMs: config.deviceHeartbeatMs, stalledCheckMs: config.runnerStalledCheckMs, logger }) : null;
  if (sandbox) {
    const published = await runbooks.list({ status: 'published', limit: 20 });
    sandbox.welcome(SANDBOX_CHANNELS[0].id, published.items.map((r) => r.name), demo !== null);
  }
  const runbooksApp = createRunbooks({ store: runbooks, runs, access });
  const alertStore = createAlertStore(db.conn, clock);
  for (const line of describeAlertConfig(alertConfig)) logger.info(line);
  const alerts = bot && notifier
    ? await listenToSlack(bot, { service, runsApp, runbooksApp, runbooks, devices, messages, alertStore, alertConfig, notifier, access, clock, logger, slackFetch })
    : null;
  const alertChannel = config.alertsChannel ?? null;
  const alertWebhooks = createAlertWebhooks({
    token: config.alertsToken,
    channel: alertChannel,
    store: alertStore,
    logger,
    // Without Slack or a channel for them, webhook alerts are stored and listed, not posted.
    // A webhook delivery carried ALERTS_TOKEN: it comes from a configured source.
    ...(alerts && alertChannel ? { onReceived: (received) => alerts.received(received, { channel: alertChannel, thread_ts: null }, { mayAutoRun: true }) } : {}),
  });
  // One key cache and one rate limit per key for both agent surfaces.
  const authenticate = createAuthenticator({ keys: createApiKeyStore(db.conn, clock), cacheMs: config.apiKeyCacheMs ?? 5_000, now: clock });
  const limiter = createRateLimiter({ redis: apiConnection, prefix: queuePrefix, limit: config.apiRateLimit ?? 600, now: clock });
  const api = createApi({
    runs: runsApp,
    runbooks: runbooksApp,
    authenticate,
    limiter,
    idempotency: createIdempotencyStore({ redis: apiConnection, prefix: queuePrefix }),
    logger,
    version: VERSION,
    metrics,
  });
  const mcp = createMcpHttp({
    services: { runs: runsApp, runbooks: runbooksApp, devices: createDevices({ devices, runs: service, access }) },
    authenticate,
    limiter,
    logger,
    version: VERSION,
    metrics,
  });
  const health = await startHealthServer({
    host: config.host,
    port: config.port,
    checks: {
      mongodb: async () => {
        await db.conn.db?.admin().ping();
      },
      redis: async () => {
        await queueConnection.ping();
      },
    },
    metrics: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() },
    fallback: (req, res) => {
      if (sandbox?.route(req, res)) return;
      if (alertWebhooks(req, res)) return;
      if (api(req, res)) return;
      if (mcp.listener(req, res)) return;
      if (bot?.route?.(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
    },
  });
  // The bot's own endpoint, over loopback whatever HOST the service listens on.
  sandbox?.connect(`http://127.0.0.1:${health.port}${SLACK_EVENTS_PATH}`, demo);
  logger.info('listening', {
    host: config.host,
    port: health.port,
    health: '/healthz',
    ready: '/readyz',
    metrics: '/metrics',
    slack: mode.kind === 'http' ? SLACK_EVENTS_PATH : mode.kind === 'socket' ? 'socket mode' : mode.kind === 'sandbox' ? `sandbox at http://127.0.0.1:${health.port}${SANDBOX_PATH}` : 'off',
    api: '/v1 (OpenAPI at /v1/openapi.json; keys: runbook-bot apikey create NAME)',
    mcp: `${MCP_PATH} (streamable HTTP, the same keys; stdio: runbook-bot mcp)`,
  });

  let stopping: Promise<void> | null = null;
  return {
    service,
    runbooks,
    notifier,
    port: health.port,
    db,
    /** The sandbox's demo device, in sandbox mode. */
    demo,
    /** Stops taking work, lets jobs under way finish, then closes connections. Safe to call twice. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await mcp.close();
        sandbox?.closePages();
        await health.close();
        await bot?.stop();
        await demo?.stop();
        await reconciler.stop();
        await toolReconciler.stop();
        await settler.stop();
        await worker.close();
        await toolResults.close();
        await runnerEvents.close();
        await drain(notifier, logger);
        await scheduler.close();
        await dispatcher.close();
        await queueProbe.close();
        queueConnection.disconnect();
        workerConnection.disconnect();
        apiConnection.disconnect();
        await db.close();
        await sandbox?.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

async function listenToSlack(
  bot: Bot,
  deps: {
    service: RunService;
    runsApp: Runs;
    runbooksApp: Runbooks;
    runbooks: RunbookStore;
    devices: DeviceStore;
    messages: RunMessageStore;
    alertStore: AlertStore;
    alertConfig: AlertConfig;
    notifier: RunNotifier;
    access: Access;
    clock: () => number;
    logger: Logger;
    slackFetch: FetchFunction;
  },
): Promise<AlertService> {
  const { service, runsApp, runbooksApp, runbooks, devices, messages, alertStore, alertConfig, notifier, access, clock, logger, slackFetch } = deps;
  const groups = createGroupResolver(bot.client, { logger });
  const botService = createBotService({ runs: runsApp, runbooks: runbooksApp, notifier, groups, devices: createDevices({ devices, runs: service, access }), client: bot.client, logger });
  const mayRead = (userId: string) => access.allows(botService.principal({ id: userId }), 'read', {});
  const home = createHomeService({ runs: service, runbooks, messages, client: bot.client, mayRead, clock, logger });
  const cards = createSlackAlertCards({ client: bot.client, notifier, clock, logger, slackFetch });
  const alerts = createAlertService({
    store: alertStore,
    runbooks,
    devices,
    runs: runsApp,
    cards,
    rules: alertConfig.rules,
    sources: alertConfig.sources,
    autoExecuteAs: alertConfig.autoExecuteAs,
    targets: alertConfig.targets,
    access,
    clock,
    logger,
  });
  await bot.listen({ bot: botService, home, alerts, clock, logger });
  return alerts;
}

/** The sandbox's demo device; the sandbox still serves without it, so a failure is told, not fatal. */
async function startSandboxDemo(deps: Parameters<typeof startDemoDevice>[0]): Promise<DemoDevice | null> {
  try {
    return await startDemoDevice(deps);
  } catch (error) {
    deps.logger.warn('the sandbox demo device could not start; the sandbox runs without it', { error });
    return null;
  }
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
  notifier.stop();
  if (result === 'timeout') logger.warn('stopped with Slack updates still queued; the next render after restart shows the whole state');
}
