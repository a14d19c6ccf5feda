// How Slack shows alerts (the AlertCards of services/alerts.ts): a card message posted in the
// alert's thread and edited as the alert is run, dismissed or resolved; the live message of
// a run an alert started by itself.
import type { WebClient } from '@slack/web-api';

import type { AlertCards } from '../services/alerts.js';
import type { RunNotifier } from './run-notifier.js';
import { buildAlertCard } from './views/alert-card.js';

export function createSlackAlertCards(deps: { client: WebClient; notifier: Pick<RunNotifier, 'publish'>; clock: () => number }): AlertCards {
  const { client, notifier, clock } = deps;
  return {
    async post(where, card) {
      const posted = await client.chat.postMessage({
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
