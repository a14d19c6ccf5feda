// How Slack shows alerts (the AlertCards of services/alerts.ts): a card message posted in the
// alert's thread and edited as the alert is run, dismissed or resolved; the live message of
// a run an alert started by itself.
import { LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';

import type { Logger } from '../logger.js';

import type { AlertCards } from '../services/alerts.js';
import { boltLogger } from './bolt-logger.js';
import type { RunNotifier } from './run-notifier.js';
import { buildAlertCard } from './views/alert-card.js';

/**
 * A card post gives up within about this long, retries included. Another process may post
 * the card again once its attempt is a lease old (60 s by default, models/alert-store.ts),
 * taking the poster for gone; the client's default policy would keep retrying for half an hour
 * and could then land a second card.
 */
export const CARD_POST_BUDGET_MS = 30_000;

export function createSlackAlertCards(deps: { client: WebClient; notifier: Pick<RunNotifier, 'publish'>; clock: () => number; logger: Logger }): AlertCards {
  const { client, notifier, clock } = deps;
  // A failed post is recorded and the next delivery of the alert posts again at once, so a
  // rate-limited or slow Slack is better answered by failing than by waiting.
  const poster = new WebClient(client.token, {
    slackApiUrl: client.slackApiUrl,
    // Without it the poster would print the SDK's plain-text lines.
    logger: boltLogger(deps.logger, LogLevel.INFO),
    timeout: CARD_POST_BUDGET_MS / 3,
    retryConfig: { retries: 1, minTimeout: 1_000, maxRetryTime: CARD_POST_BUDGET_MS / 3 },
    rejectRateLimitedCalls: true,
  });
  return {
    async post(where, card) {
      const posted = await poster.chat.postMessage({
        channel: where.channel,
        ...(where.thread_ts ? { thread_ts: where.thread_ts } : {}),
        ...buildAlertCard({ ...card, now: clock() }),
      });
      return posted.ts as string;
    },
    async update(at, card) {
      await client.chat.update({ channel: at.channel, ts: at.ts, ...buildAlertCard({ ...card, now: clock() }) });
    },
    async postRun(run, where) {
      await notifier.publish(run, where);
    },
  };
}
