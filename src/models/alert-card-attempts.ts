// Who may post an episode's card, and where it landed. The episode's winner takes attempt 1.
// A later delivery of the still-firing alert takes the next attempt only when no card was
// posted and the last attempt failed or is older than the lease: its poster had that long and
// is taken to be gone (a process that died mid-post). A poster slower than the lease is the one
// case that leaves two cards; the Slack port bounds how long a post may take for that reason.
import type { Connection } from 'mongoose';

import { alertCardModel, type AlertCardDoc } from './alert-card-model.js';
import { alertIds } from './alert-ids.js';
import { readSeries } from './read-series.js';
import type { AlertEpisode, CardLocation } from './alert-view.js';
import { insertOnce } from './insert-once.js';

export interface CardAttemptClock {
  now: () => number;
  /** True once `since` is older than the lease. */
  isStale: (since: Date) => boolean;
}

export function createAlertCardAttempts(conn: Connection, clock: CardAttemptClock) {
  const Cards = alertCardModel(conn);
  const find = async (id: string) => (await Cards.collection.findOne({ _id: id as never })) as AlertCardDoc | null;

  const insert = async (doc: AlertCardDoc): Promise<AlertCardDoc | null> => ((await insertOnce(Cards.collection, doc)) ? doc : null);

  return {
    /** The episode's attempts, oldest first. */
    list(fingerprint: string, episode: number): Promise<AlertCardDoc[]> {
      return readSeries(find, (n) => alertIds.card(fingerprint, episode, n));
    },

    /**
     * The right to post the episode's card, or null: posted already, being posted within the
     * lease, or taken by another delivery just now. `first`: the episode's winner, which takes
     * attempt 1. Anyone else decides from the episode as read (its cards and latest attempt):
     * if that is out of date, the insert collides or the next delivery tries.
     */
    async claim(alert: AlertEpisode, where: { channel: string; thread_ts: string | null }, opts: { first: boolean }): Promise<AlertCardDoc | null> {
      let n = 1;
      if (!opts.first) {
        if (alert.cards.length > 0) return null;
        const last = alert.card_attempt;
        // With no attempt yet, the episode's winner has had since the episode began.
        if (!last?.failed && !clock.isStale(new Date(last?.at ?? alert.episode_started))) return null;
        n = (last?.n ?? 0) + 1;
      }
      return insert({
        _id: alertIds.card(alert.fingerprint, alert.episode, n),
        fingerprint: alert.fingerprint,
        episode: alert.episode,
        n,
        at: new Date(clock.now()),
        channel: where.channel,
        thread_ts: where.thread_ts,
        card_ts: null,
        card_thread_ts: null,
        posted_at: null,
        failed_at: null,
        error: null,
      });
    },

    /** Where the attempt's card landed (its poster only). */
    async posted(attempt: AlertCardDoc, at: CardLocation): Promise<void> {
      await Cards.collection.updateOne(
        { _id: attempt._id as never },
        { $set: { channel: at.channel, card_ts: at.card_ts, card_thread_ts: at.thread_ts, posted_at: new Date(clock.now()) } },
      );
    },

    /** The attempt's post failed: the next delivery may try at once (its poster only). */
    async failed(attempt: AlertCardDoc, error: unknown): Promise<void> {
      const message = error instanceof Error ? error.message : String(error);
      await Cards.collection.updateOne({ _id: attempt._id as never }, { $set: { failed_at: new Date(clock.now()), error: message.slice(0, 500) } });
    },
  };
}

export type AlertCardAttempts = ReturnType<typeof createAlertCardAttempts>;
