// An alert as the rest of the code sees it, put together from the documents that hold its
// parts: its state (alert-state.ts), the cards posted for the episode, the decisions made.
import type { Alert } from '../alerts/alert.js';
import type { AlertCardDoc } from './alert-card-model.js';
import { isShownDecision, type AlertDecisionRecord } from './alert-decision-model.js';
import { undescribed, type AlertDecisionDoc, type AlertDoc } from './alert-model.js';
import type { AlertState } from './alert-state.js';

export interface CardLocation {
  channel: string;
  card_ts: string;
  /** The thread the card and any run it starts are in (the alert message's, or the card's own). */
  thread_ts: string;
}

export interface CardAttempt {
  n: number;
  /** When it was claimed. */
  at: number;
  failed: boolean;
}

/** One episode of an alert: what it is, whether it still fires, its card, what was decided. */
export interface AlertEpisode extends Alert {
  /** 1 for the first firing; one more each time it fires again after resolving. */
  episode: number;
  /** Where the card is; before there is one, where the episode was seen. */
  channel: string | null;
  card_ts: string | null;
  thread_ts: string | null;
  /** Every card posted for the episode, oldest first: two only when a repost raced a first post slower than the lease. */
  cards: CardLocation[];
  /** The latest attempt to post the episode's card (null: none yet): whether a delivery may try again. */
  card_attempt: CardAttempt | null;
  /** The latest run an episode of it started (an earlier episode's, when this one has none). */
  run_id: string | null;
  /** Every episode's, oldest first; each says its episode. */
  decisions: AlertDecisionDoc[];
  first_seen: number;
  episode_started: number;
  resolved_at: number | null;
}

export interface StoredAlert extends AlertEpisode {
  last_seen: number;
}

/** A document from before episodes: it held the first episode's card and every decision. */
const isLegacy = (doc: AlertDoc | null): doc is AlertDoc => doc !== null && Array.isArray(doc.decisions);

const lastAttempt = (attempts: readonly AlertCardDoc[]): CardAttempt | null => {
  const last = attempts.at(-1);
  return last ? { n: last.n, at: last.at.getTime(), failed: last.failed_at !== null } : null;
};

export function cardLocations(attempts: readonly AlertCardDoc[]): CardLocation[] {
  return attempts.flatMap((a) => (a.card_ts === null ? [] : [{ channel: a.channel, card_ts: a.card_ts, thread_ts: a.card_thread_ts ?? a.card_ts }]));
}

/**
 * A document's decisions from before episodes (they have no `episode`, and are the first
 * episode's) and the stored ones that views show, oldest first.
 */
function mergeDecisions(legacy: readonly AlertDecisionDoc[], records: readonly AlertDecisionRecord[]): AlertDecisionDoc[] {
  return [
    ...legacy.map(({ episode: _, ...d }) => d),
    ...records.filter(isShownDecision).map((d) => ({ action: d.action, runbook_id: d.runbook_id, run_id: d.run_id, by: d.by, at: d.at, episode: d.episode })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
}

const latestRunId = (decisions: readonly AlertDecisionDoc[]) => [...decisions].reverse().find((d) => d.run_id !== null)?.run_id ?? null;

/**
 * `alert` with what was read again: the decisions stored now, its episode's resolve (if it
 * has one), and its card attempts (when they were read again).
 */
export function withLatest(
  alert: AlertEpisode,
  latest: { records: readonly AlertDecisionRecord[]; resolve: { at: Date } | null; attempts: readonly AlertCardDoc[] | null },
): AlertEpisode {
  const decisions = mergeDecisions(
    alert.decisions.filter((d) => d.episode === undefined),
    latest.records,
  );
  const cards = latest.attempts ? cardLocations(latest.attempts) : alert.cards;
  const card = cards.at(-1);
  return {
    ...alert,
    ...(latest.resolve ? { status: 'resolved' as const, resolved_at: latest.resolve.at.getTime() } : {}),
    ...(card ? { channel: card.channel, card_ts: card.card_ts, thread_ts: card.thread_ts } : {}),
    cards,
    card_attempt: latest.attempts ? lastAttempt(latest.attempts) : alert.card_attempt,
    decisions,
    run_id: latestRunId(decisions) ?? alert.run_id,
  };
}

export function episodeView(state: AlertState, parts: { doc: AlertDoc | null; decisions: readonly AlertDecisionRecord[]; cards: readonly AlertCardDoc[] }): AlertEpisode {
  const { doc } = parts;
  const cards = cardLocations(parts.cards);
  if (isLegacy(doc) && state.episode === 1 && doc.card_ts && doc.channel && cards.length === 0) {
    cards.push({ channel: doc.channel, card_ts: doc.card_ts, thread_ts: doc.thread_ts ?? doc.card_ts });
  }
  const decisions = mergeDecisions(isLegacy(doc) ? (doc.decisions ?? []) : [], parts.decisions);
  const card = cards.at(-1) ?? null;
  return {
    ...undescribed(state.fingerprint, state.described, state.status),
    episode: state.episode,
    channel: card?.channel ?? state.channel,
    card_ts: card?.card_ts ?? null,
    thread_ts: card?.thread_ts ?? null,
    cards,
    card_attempt: lastAttempt(parts.cards),
    run_id: latestRunId(decisions) ?? (isLegacy(doc) ? (doc.run_id ?? null) : null),
    decisions,
    first_seen: state.first_seen.getTime(),
    episode_started: state.episode_started.getTime(),
    resolved_at: state.resolved_at?.getTime() ?? null,
  };
}
