import type { Connection } from 'mongoose';

import type { Alert } from '../alerts/alert.js';
import { isDuplicateKeyError } from '../errors.js';
import { createKeyedMutex } from '../keyed-mutex.js';
import { alertModel, type AlertDecisionDoc, type AlertDoc } from './alert-model.js';

export interface StoredAlert extends Alert {
  channel: string | null;
  card_ts: string | null;
  thread_ts: string | null;
  run_id: string | null;
  decisions: AlertDecisionDoc[];
  notifications: number;
  first_seen: number;
  episode_started: number;
  last_seen: number;
  resolved_at: number | null;
}

/**
 * What a notification means for the alert it is about:
 * - `new`: first seen, firing (suggest playbooks);
 * - `refired`: it had resolved and fires again (a new episode: suggest again);
 * - `repeat`: it was already firing, or already resolved (nothing new to show);
 * - `resolved`: it fired and now resolved (mark its card resolved).
 */
export type ReceiveOutcome = 'new' | 'refired' | 'repeat' | 'resolved';

export type AlertStore = ReturnType<typeof createAlertStore>;

const toStored = (doc: AlertDoc): StoredAlert => ({
  source: doc.source,
  recognizer: doc.recognizer,
  type: doc.type,
  severity: doc.severity,
  status: doc.status,
  host: doc.host ?? null,
  labels: JSON.parse(doc.labels_json) as Record<string, string>,
  summary: doc.summary,
  fingerprint: doc._id,
  started_at: doc.started_at?.getTime() ?? null,
  channel: doc.channel ?? null,
  card_ts: doc.card_ts ?? null,
  thread_ts: doc.thread_ts ?? null,
  run_id: doc.run_id ?? null,
  decisions: doc.decisions ?? [],
  notifications: doc.notifications,
  first_seen: doc.first_seen.getTime(),
  episode_started: (doc.episode_started ?? doc.first_seen).getTime(),
  last_seen: doc.last_seen.getTime(),
  resolved_at: doc.resolved_at?.getTime() ?? null,
});

export function createAlertStore(conn: Connection, now: () => number = Date.now) {
  const Alerts = alertModel(conn);
  // Notifications of one alert are recorded one at a time in this process: FerretDB v1 does
  // not apply a filtered update atomically (see keyed-mutex.ts), which would lose counts and
  // let two re-fires both see the alert resolved. Across processes the unique insert still
  // makes exactly one `new`.
  const perAlert = createKeyedMutex();

  /** The alert's own fields, as the latest notification says them. */
  const described = (alert: Alert) => ({
    source: alert.source,
    recognizer: alert.recognizer,
    type: alert.type,
    severity: alert.severity,
    host: alert.host,
    labels_json: JSON.stringify(alert.labels),
    summary: alert.summary,
    started_at: alert.started_at === null ? null : new Date(alert.started_at),
  });

  return {
    /**
     * Records one notification. The first one inserts the fingerprint (a unique _id, so two
     * deliveries at once make one document and one `new`); later ones update it.
     */
    receive(alert: Alert, where: { channel: string | null }): Promise<{ outcome: ReceiveOutcome; alert: StoredAlert }> {
      return perAlert.run(alert.fingerprint, () => receiveNow(alert, where));
    },

    async get(fingerprint: string): Promise<StoredAlert | null> {
      const doc = await Alerts.findById(fingerprint).lean<AlertDoc>().exec();
      return doc ? toStored(doc) : null;
    },

    /** Most recently seen first. */
    async recent(limit = 20): Promise<StoredAlert[]> {
      const docs = await Alerts.find().sort({ last_seen: -1 }).limit(Math.min(Math.max(limit, 1), 100)).lean<AlertDoc[]>().exec();
      return docs.map(toStored);
    },

    /** Where the alert's suggestion card is. */
    async attachCard(fingerprint: string, card: { channel: string; card_ts: string; thread_ts: string }): Promise<void> {
      await Alerts.updateOne({ _id: fingerprint }, { $set: card }).exec();
    },

    /** Records who ran or dismissed what; a run also becomes the alert's run. */
    async decide(fingerprint: string, decision: Omit<AlertDecisionDoc, 'at'>): Promise<StoredAlert | null> {
      const $set = decision.run_id ? { run_id: decision.run_id } : {};
      const doc = await Alerts.findOneAndUpdate(
        { _id: fingerprint },
        { $push: { decisions: { ...decision, at: new Date(now()) } }, $set },
        { returnDocument: 'after', lean: true },
      ).exec();
      return doc ? toStored(doc as AlertDoc) : null;
    },

    async count(): Promise<number> {
      return Alerts.countDocuments().exec();
    },
  };

  async function receiveNow(alert: Alert, where: { channel: string | null }): Promise<{ outcome: ReceiveOutcome; alert: StoredAlert }> {
    const at = new Date(now());
    const doc: AlertDoc = {
      _id: alert.fingerprint,
      ...described(alert),
      status: alert.status,
      channel: where.channel,
      card_ts: null,
      thread_ts: null,
      run_id: null,
      decisions: [],
      notifications: 1,
      first_seen: at,
      episode_started: at,
      last_seen: at,
      resolved_at: alert.status === 'resolved' ? at : null,
    };
    try {
      await Alerts.create(doc);
      return { outcome: alert.status === 'firing' ? 'new' : 'repeat', alert: toStored(doc) };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const before = await Alerts.findById(alert.fingerprint).lean<AlertDoc>().exec();
    const was = before?.status ?? alert.status;
    const outcome: ReceiveOutcome =
      was === alert.status ? 'repeat' : alert.status === 'resolved' ? 'resolved' : 'refired';
    const update: Record<string, unknown> = { ...described(alert), status: alert.status, last_seen: at };
    if (outcome === 'resolved') update.resolved_at = at;
    // A new episode gets a new card; the old decisions and the last run stay on record (the
    // caller does not start a second run while that one is active).
    if (outcome === 'refired') Object.assign(update, { resolved_at: null, card_ts: null, thread_ts: null, channel: where.channel, episode_started: at });
    const after = await Alerts.findOneAndUpdate(
      { _id: alert.fingerprint },
      { $set: update, $inc: { notifications: 1 } },
      { returnDocument: 'after', lean: true },
    ).exec();
    return { outcome, alert: toStored(after as AlertDoc) };
  }
}
