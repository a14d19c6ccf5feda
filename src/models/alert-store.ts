// Alerts as stored, for every process sharing the database at once. Each decision that must be
// made once (this notification opens an episode, resolves it, posts its card, starts its run)
// is the insert of an _id (alert-ids.ts) that only the first inserter gets, and every document
// that is updated afterwards has one writer: the alert's document the winner of its latest
// change, a card attempt or a run claim its claimer. No process-local lock is needed for any of
// it, and none would help: FerretDB v1 applies every update as a read and a whole-document
// write, so two updates of one document at once can lose one.
import type { Connection } from 'mongoose';

import type { Alert, AlertStatus } from '../alerts/alert.js';
import { AppError, ErrorCode } from '../errors.js';
import { createAlertCardAttempts } from './alert-card-attempts.js';
import { alertClaimModel, type AlertClaimDoc } from './alert-claim-model.js';
import { createAlertDecisions } from './alert-decisions.js';
import { alertIds } from './alert-ids.js';
import { alertModel, described, type AlertDoc } from './alert-model.js';
import { createAlertNotifications } from './alert-notifications.js';
import { afterClaim, createAlertStateReader, docFields, type AlertState, type Walked } from './alert-state.js';
import { episodeView, withLatest, type AlertEpisode, type StoredAlert } from './alert-view.js';
import { insertOnce } from './insert-once.js';

export type { AlertEpisode, CardAttempt, CardLocation, StoredAlert } from './alert-view.js';
export type { RunDecision } from './alert-decisions.js';

/**
 * What a notification means for the alert it is about:
 * - `new`: first seen, firing (suggest playbooks);
 * - `refired`: it had resolved and fires again (a new episode: suggest again);
 * - `repeat`: it was already firing, or already resolved (nothing new to show);
 * - `resolved`: it fired and now resolved (mark its card resolved).
 */
export type ReceiveOutcome = 'new' | 'refired' | 'repeat' | 'resolved';

export interface AlertStoreOptions {
  /**
   * How long the holder of a claim (a card being posted, a run being started, the alert's
   * document being written) has before another process takes it to be gone. Default 60 s.
   */
  leaseMs?: number;
}

/** Changes read past while storing one notification before giving up: each is another delivery's win. */
const MAX_CHANGES_PER_NOTIFICATION = 20;

export type AlertStore = ReturnType<typeof createAlertStore>;

export function createAlertStore(conn: Connection, now: () => number = Date.now, options: AlertStoreOptions = {}) {
  const leaseMs = options.leaseMs ?? 60_000;
  const isStale = (since: Date) => now() - since.getTime() >= leaseMs;
  const Alerts = alertModel(conn);
  const Claims = alertClaimModel(conn);
  const states = createAlertStateReader(conn);
  const cards = createAlertCardAttempts(conn, { now, isStale });
  const decisions = createAlertDecisions(conn, now);
  const notifications = createAlertNotifications(conn);

  /** The claim `alert` would make of `state`, or null when it changes nothing. */
  function changeFor(state: AlertState | null, alert: Alert, channel: string | null, at: Date): { claim: AlertClaimDoc; outcome: ReceiveOutcome } | null {
    const fingerprint = alert.fingerprint;
    const begin = (episode: number, status: AlertStatus): AlertClaimDoc => ({
      _id: alertIds.episode(fingerprint, episode),
      kind: 'episode',
      fingerprint,
      episode,
      at,
      status,
      channel,
      ...described(alert),
    });
    if (state === null) return { claim: begin(1, alert.status), outcome: alert.status === 'firing' ? 'new' : 'repeat' };
    if (state.status === alert.status) return null;
    if (alert.status === 'resolved') {
      return { claim: { _id: alertIds.resolved(fingerprint, state.episode), kind: 'resolved', fingerprint, episode: state.episode, at }, outcome: 'resolved' };
    }
    return { claim: begin(state.episode + 1, 'firing'), outcome: 'refired' };
  }

  /**
   * The winner of a change brings the alert's document to `state`, unless the change before
   * it is still being written by its own winner (claimed less than a lease ago): two writers
   * at once could leave the older state. Skipping leaves the document behind, which costs
   * readers one more claim read, never a wrong state.
   */
  async function writeDoc(walked: Walked, state: AlertState, at: Date): Promise<void> {
    const previous = walked.ahead.at(-1);
    if (previous && !isStale(previous.at)) return;
    const fields = docFields(state, at);
    if (walked.doc !== null) {
      await Alerts.collection.updateOne({ _id: state.fingerprint as never }, { $set: fields });
      return;
    }
    // Not inserted: the first episode's winner wrote it after all (a late writer), one change behind.
    await insertOnce(Alerts.collection, { _id: state.fingerprint, ...fields });
  }

  /** True when this insert made the change; false when another delivery made it first. */
  const claim = (doc: AlertClaimDoc): Promise<boolean> => insertOnce(Claims.collection, doc);

  async function viewOf(state: AlertState, doc: AlertDoc | null, known: { fresh?: boolean } = {}): Promise<AlertEpisode> {
    // A just-begun episode has no card attempt yet, and a brand-new alert no decision.
    const fresh = known.fresh === true;
    const [decided, attempts] = await Promise.all([
      fresh && state.episode === 1 ? [] : decisions.of([state.fingerprint]),
      fresh ? [] : cards.list(state.fingerprint, state.episode),
    ]);
    return episodeView(state, { doc, decisions: decided, cards: attempts });
  }

  return {
    /** True once `since` is a lease old: a claim's holder that has not finished by then is taken to be gone. */
    isStale,

    /**
     * Records one notification and what it means. A change of state is claimed by inserting
     * the change's _id: of two deliveries that would both make it, the loser reads the
     * winner's claim and is a repeat. A repeat writes nothing but its line in the log.
     */
    async receive(alert: Alert, where: { channel: string | null }): Promise<{ outcome: ReceiveOutcome; alert: StoredAlert }> {
      const at = new Date(now());
      const [doc] = await Promise.all([states.readDoc(alert.fingerprint), notifications.record(alert.fingerprint, alert.status, at)]);
      // A change is claimed straight from the document's state: if another change is past it,
      // the claim collides and the claims are read. A repeat by the document reads them first.
      let walked = states.fromDoc(alert.fingerprint, doc);
      let read = false;
      for (let lost = 0; ; ) {
        const change = changeFor(walked.state, alert, where.channel, at);
        if (change === null && read) return { outcome: 'repeat', alert: { ...(await viewOf(walked.state!, walked.doc)), last_seen: at.getTime() } };
        if (change !== null && (await claim(change.claim))) {
          const state = afterClaim(walked.state, change.claim);
          await writeDoc(walked, state, at);
          const view = await viewOf(state, walked.doc, { fresh: change.claim.kind === 'episode' });
          return { outcome: change.outcome, alert: { ...view, last_seen: at.getTime() } };
        }
        if (change !== null && ++lost > MAX_CHANGES_PER_NOTIFICATION) {
          throw new AppError(ErrorCode.Conflict, `alert ${alert.fingerprint} changed state ${lost} times while one notification of it was stored; send it again`);
        }
        // Another delivery made this change (or one past the document): what does this notification mean after it?
        walked = await states.walk(walked);
        read = true;
      }
    },

    /** The alert as stored, with how many notifications of it were received. */
    async get(fingerprint: string): Promise<(StoredAlert & { notifications: number }) | null> {
      const [walked, seen] = await Promise.all([states.read(fingerprint), notifications.seen(fingerprint)]);
      if (walked.state === null) return null;
      const view = await viewOf(walked.state, walked.doc);
      // A document from before the log counted its notifications itself.
      const { last_seen: lastSeen, notifications: counted } = walked.doc ?? {};
      return {
        ...view,
        last_seen: (seen.last ?? lastSeen ?? walked.state.first_seen).getTime(),
        notifications: seen.count + (counted ?? 0),
      };
    },

    /** The alert's current episode; null when unknown. */
    async episode(fingerprint: string): Promise<AlertEpisode | null> {
      const walked = await states.read(fingerprint);
      return walked.state && viewOf(walked.state, walked.doc);
    },

    /**
     * `alert` (an episode as read before) with what others change while its card is up read
     * again: the decisions, whether the episode resolved, and its cards when it had none. A
     * writer reads these after its own write, and the card's poster reads them after recording
     * the card, so of two at once at least one sees the other's.
     */
    async recheck(alert: AlertEpisode): Promise<AlertEpisode> {
      const [resolve, records, attempts] = await Promise.all([
        alert.status === 'firing' ? states.resolveClaim(alert.fingerprint, alert.episode) : null,
        decisions.of([alert.fingerprint]),
        alert.cards.length === 0 ? cards.list(alert.fingerprint, alert.episode) : null,
      ]);
      return withLatest(alert, { records, resolve, attempts });
    },

    /** Most recently seen first. */
    async recent(limit = 20): Promise<StoredAlert[]> {
      const wanted = Math.min(Math.max(limit, 1), 100);
      const seen = await notifications.latest(wanted);
      // Alerts stored before the notifications log say on their documents when they were last seen.
      const older = (await Alerts.collection.find({ last_seen: { $exists: true } } as never).sort({ last_seen: -1 }).limit(wanted).toArray()) as unknown as AlertDoc[];
      for (const doc of older) {
        const logged = seen.get(doc._id);
        if (doc.last_seen && (!logged || logged < doc.last_seen)) seen.set(doc._id, doc.last_seen);
      }
      const picked = [...seen].sort((a, b) => b[1].getTime() - a[1].getTime()).slice(0, wanted);
      const decided = await decisions.of(picked.map(([fingerprint]) => fingerprint));
      const views = await Promise.all(
        picked.map(async ([fingerprint, lastSeen]) => {
          const walked = await states.read(fingerprint);
          if (walked.state === null) return null;
          const attempts = await cards.list(fingerprint, walked.state.episode);
          const mine = decided.filter((d) => d.fingerprint === fingerprint);
          return { ...episodeView(walked.state, { doc: walked.doc, decisions: mine, cards: attempts }), last_seen: lastSeen.getTime() };
        }),
      );
      return views.filter((v): v is StoredAlert => v !== null);
    },

    async count(): Promise<number> {
      return Alerts.countDocuments().exec();
    },

    /** Card attempts: who posts the episode's card (see alert-card-attempts.ts). */
    cards,

    /** Run claims and dismisses (see alert-decisions.ts). */
    decisions,
  };
}
