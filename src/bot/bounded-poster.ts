// A Web API client for posts another process may repeat once the poster is a lease old (alert
// cards, run thread replies): it gives up within `budgetMs`, retries included. The default
// policy would keep retrying for half an hour and could land a post after someone else's.
import { LogLevel } from '@slack/bolt';
import { WebClient, type FetchFunction } from '@slack/web-api';

import type { Logger } from '../logger.js';
import { boltLogger } from './bolt-logger.js';

/** Well inside the 60 s leases of card and thread-reply attempts. */
export const POST_BUDGET_MS = 30_000;

/** `fetch`: the one the bot's own client uses (the metrics time Slack calls through it). */
export function createBoundedPoster(client: WebClient, logger: Logger, opts: { fetch?: FetchFunction; budgetMs?: number } = {}): WebClient {
  const budgetMs = opts.budgetMs ?? POST_BUDGET_MS;
  return new WebClient(client.token, {
    slackApiUrl: client.slackApiUrl,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    // Without it the poster would print the SDK's plain-text lines.
    logger: boltLogger(logger, LogLevel.INFO),
    timeout: budgetMs / 3,
    retryConfig: { retries: 1, minTimeout: 1_000, maxRetryTime: budgetMs / 3 },
    // A failed post is recorded and tried again by the next render or delivery, so a
    // rate-limited Slack is better answered by failing than by waiting.
    rejectRateLimitedCalls: true,
  });
}
