// How Slack shows alerts (the AlertCards of services/alerts.ts): a card message posted in the
// alert's thread and edited as the alert is run, dismissed or resolved; the live message of
// a run an alert started by itself.
import type { FetchFunction, WebClient } from '@slack/web-api';

import type { Logger } from '../logger.js';

import type { AlertCards } from '../services/alerts.js';
import { createBoundedPoster } from './bounded-poster.js';
import type { RunNotifier } from './run-notifier.js';
import { buildAlertCard } from './views/alert-card.js';

export function createSlackAlertCards(deps: { client: WebClient; notifier: Pick<RunNotifier, 'publish'>; clock: () => number; logger: Logger; slackFetch?: FetchFunction }): AlertCards {
  const { client, notifier, clock } = deps;
  // A failed post is recorded and the next delivery of the alert posts again at once.
  const poster = createBoundedPoster(client, deps.logger, deps.slackFetch ? { fetch: deps.slackFetch } : {});
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
