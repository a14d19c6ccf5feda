// One document per alert (by fingerprint): what it is, whether it still fires, where its
// card is, which run it started and what people decided. A notification of an alert already
// stored (a repeat, a redelivered webhook, Slack retrying an event) updates this document
// and never adds a second one: the fingerprint is the _id.
import { Schema, type Connection, type Model } from 'mongoose';

import { ALERT_SOURCES, ALERT_STATUSES, type AlertSource, type AlertStatus } from '../alerts/alert.js';
import { SEVERITIES, type Severity } from '../engine/types.js';
import { ActorSchema } from './run-event-model.js';

const DecisionSchema = new Schema(
  {
    action: { type: String, enum: ['run', 'dismiss', 'auto_run'], required: true },
    runbook_id: { type: String, default: null },
    run_id: { type: String, default: null },
    by: { type: ActorSchema, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

export const AlertSchema = new Schema(
  {
    _id: { type: String, required: true }, // the fingerprint
    source: { type: String, enum: ALERT_SOURCES, required: true },
    recognizer: { type: String, required: true },
    type: { type: String, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    status: { type: String, enum: ALERT_STATUSES, required: true },
    host: { type: String, default: null },
    // JSON text, as on runs: label names may contain "." or start with "$".
    labels_json: { type: String, required: true },
    summary: { type: String, required: true },
    started_at: { type: Date, default: null },
    /** Where it was seen (a Slack message) or posted (a webhook's configured channel). */
    channel: { type: String, default: null },
    card_ts: { type: String, default: null },
    /** The thread the card and any run it starts are posted in (the alert message's, or the card's own). */
    thread_ts: { type: String, default: null },
    run_id: { type: String, default: null },
    decisions: { type: [DecisionSchema], default: [] },
    /** Notifications received for it, repeats and redeliveries included. */
    notifications: { type: Number, required: true },
    first_seen: { type: Date, required: true },
    /** When the current episode began (first seen, or firing again after it resolved). */
    episode_started: { type: Date, required: true },
    last_seen: { type: Date, required: true },
    resolved_at: { type: Date, default: null },
  },
  { collection: 'alerts', versionKey: false, minimize: false },
);
// `/runbook alerts`: the most recent first.
AlertSchema.index({ last_seen: -1 });

export type AlertDecisionDoc = {
  action: 'run' | 'dismiss' | 'auto_run';
  runbook_id: string | null;
  run_id: string | null;
  by: { kind: string; id: string; name?: string };
  at: Date;
};

export type AlertDoc = {
  _id: string;
  source: AlertSource;
  recognizer: string;
  type: string;
  severity: Severity;
  status: AlertStatus;
  host: string | null;
  labels_json: string;
  summary: string;
  started_at: Date | null;
  channel: string | null;
  card_ts: string | null;
  thread_ts: string | null;
  run_id: string | null;
  decisions: AlertDecisionDoc[];
  notifications: number;
  first_seen: Date;
  episode_started: Date;
  last_seen: Date;
  resolved_at: Date | null;
};

export function alertModel(conn: Connection): Model<AlertDoc> {
  return (conn.models.Alert as Model<AlertDoc> | undefined) ?? conn.model<AlertDoc>('Alert', AlertSchema);
}
