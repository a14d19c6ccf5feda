// The Bolt app: HTTP mode answers on POST /slack/events through the service's own HTTP
// server (one port for Slack, health and APIs); Socket Mode connects out with the app token.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { App, LogLevel } from '@slack/bolt';
import { WebClient, type FetchFunction } from '@slack/web-api';

import type { Logger } from '../logger.js';
import { boltLogger } from './bolt-logger.js';
import { registerListeners, type ListenerDeps } from './listeners/index.js';
import type { SlackMode } from './slack-mode.js';
import { SlackHttpReceiver } from './slack-receiver.js';

export interface Bot {
  client: WebClient;
  /** HTTP mode: takes requests to /slack/events (signature checked) and says whether it took this one; undefined in Socket Mode. */
  route?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Installs the listeners; call once the services they use exist. */
  listen(deps: ListenerDeps): Promise<void>;
  stop(): Promise<void>;
}

/** Who the bot is, asked once: without it Bolt would call auth.test on every request. */
async function botIdentity(mode: Extract<SlackMode, { kind: 'http' | 'socket' }>, slackApiUrl: string, logger: Logger, fetch?: FetchFunction): Promise<{ botId: string; botUserId: string } | null> {
  try {
    // A few quick tries: the default policy would hold start-up for half an hour if Slack is down.
    const who = await new WebClient(mode.botToken, { slackApiUrl, logger: boltLogger(logger, LogLevel.INFO), retryConfig: { retries: 2 }, ...(fetch ? { fetch } : {}) }).auth.test();
    logger.info('slack identity', { mode: mode.kind, team: who.team, bot_user: who.user_id });
    if (who.bot_id && who.user_id) return { botId: who.bot_id, botUserId: who.user_id };
  } catch (error) {
    // Keep serving: Bolt then asks Slack on each request, and recovers once Slack answers.
    logger.error('slack did not confirm the bot token (auth.test failed); check SLACK_BOT_TOKEN', { error: (error as Error).message });
  }
  return null;
}

export interface CreateBotOptions {
  mode: Extract<SlackMode, { kind: 'http' | 'socket' }>;
  slackApiUrl: string;
  logger: Logger;
  logLevel?: LogLevel;
  /** The Web API client's fetch (the WebClient's public option): the metrics time each Slack call through it. */
  fetch?: FetchFunction;
}

export async function createBot(opts: CreateBotOptions): Promise<Bot> {
  const { mode, logger } = opts;
  const log = boltLogger(logger, opts.logLevel ?? LogLevel.INFO);
  const identity = await botIdentity(mode, opts.slackApiUrl, logger, opts.fetch);
  const receiver =
    mode.kind === 'http'
      ? new SlackHttpReceiver({ signingSecret: mode.signingSecret, logger: log })
      : undefined;
  const app = new App({
    token: mode.botToken,
    ...(identity ?? {}),
    ...(mode.kind === 'socket' ? { socketMode: true, appToken: mode.appToken } : { receiver }),
    clientOptions: { slackApiUrl: opts.slackApiUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}) },
    logger: log,
    // Bolt's per-conversation state middleware; runs keep their state in MongoDB instead.
    convoStore: false,
    // botIdentity() checked the token already; Bolt's own check would run unawaited.
    tokenVerificationEnabled: false,
  });
  app.error(async (error) => {
    logger.error('slack listener failed', { error: error.message, code: (error as { code?: string }).code });
  });

  return {
    client: app.client,
    ...(receiver ? { route: receiver.route } : {}),
    async listen(deps) {
      registerListeners(app, deps);
      if (mode.kind === 'socket') await app.start();
    },
    async stop() {
      if (mode.kind === 'socket') await app.stop();
    },
  };
}

