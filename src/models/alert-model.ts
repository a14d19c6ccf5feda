// One document per alert (by fingerprint): what it is and where it stands (episode, firing or
// resolved). It is written only by whoever won the claim of a change (alert-claim-model.ts):
// the first notification inserts it, and the winner of a resolve or a re-fire sets the new
// state. Repeats write nothing here, so none can put back what a change just set. Readers
// take it as the place to start from and read the claims past it (alert-state.ts): a winner
// that died before writing it leaves it one change behind, never wrong.
import { Schema, type Connection, type Model } from 'mongoose';

import { ALERT_SOURCES, ALERT_STATUSES, type Alert, type AlertSource, type AlertStatus, type TitleValues } from '../alerts/alert.js';
import { SEVERITIES, type Severity } from '../engine/types.js';

/** What the alert is, as the notification that opened the episode said. */
export const describedFields = {
  source: { type: String, enum: ALERT_SOURCES, required: true },
  recognizer: { type: String, required: true },
  type: { type: String, required: true },
  severity: { type: String, enum: SEVERITIES, required: true },
  host: { type: String, default: null },
  // JSON text, as on runs: label names may contain "." or start with "$".
  labels_json: { type: String, required: true },
  summary: { type: String, required: true },
  started_at: { type: Date, default: null },
  // A title-only Slack notification's values and what was inferred from them (Alert.title_values).
  title_values_json: { type: String, default: null },
  inferred: { type: [String], default: undefined },
} as const;

export type Described = {
  source: AlertSource;
  recognizer: string;
  type: string;
  severity: Severity;
  host: string | null;
  labels_json: string;
  summary: string;
  started_at: Date | null;
  title_values_json?: string | null;
  inferred?: string[];
};

export function described(alert: Alert): Described {
  return {
    source: alert.source,
    recognizer: alert.recognizer,
    type: alert.type,
    severity: alert.severity,
    host: alert.host,
    labels_json: JSON.stringify(alert.labels),
    summary: alert.summary,
    started_at: alert.started_at === null ? null : new Date(alert.started_at),
    title_values_json: alert.title_values === null ? null : JSON.stringify(alert.title_values),
    inferred: alert.inferred,
  };
}

/** The Alert a stored description and status stand for. */
export function undescribed(fingerprint: string, doc: Described, status: AlertStatus): Alert {
  return {
    source: doc.source,
    recognizer: doc.recognizer,
    type: doc.type,
    severity: doc.severity,
    status,
    host: doc.host ?? null,
    labels: JSON.parse(doc.labels_json) as Record<string, string>,
    summary: doc.summary,
    fingerprint,
    started_at: doc.started_at?.getTime() ?? null,
    // Alerts stored before these fields were read from labels only.
    title_values: doc.title_values_json ? (JSON.parse(doc.title_values_json) as TitleValues) : null,
    inferred: doc.inferred ?? [],
  };
}

export const AlertSchema = new Schema(
  {
    _id: { type: String, required: true }, // the fingerprint
    ...describedFields,
    status: { type: String, enum: ALERT_STATUSES, required: true },
    /** 1 for the first firing; one more each time it fires again after resolving. */
    episode: { type: Number, required: true },
    /** Where the episode was seen (a Slack message's channel, a webhook's configured channel). */
    channel: { type: String, default: null },
    first_seen: { type: Date, required: true },
    /** When the current episode began. */
    episode_started: { type: Date, required: true },
    resolved_at: { type: Date, default: null },
    /** When this document was last set (by the winner of the latest change). */
    changed_at: { type: Date, required: true },
  },
  { collection: 'alerts', versionKey: false, minimize: false },
);
// Kept from before episodes, for the documents that still carry last_seen.
AlertSchema.index({ last_seen: -1 });

/** A decision as views show it: who ran or dismissed what, when. */
export type AlertDecisionDoc = {
  action: 'run' | 'dismiss' | 'auto_run';
  runbook_id: string | null;
  run_id: string | null;
  by: { kind: string; id: string; name?: string };
  at: Date;
  /** The episode it was made in (absent on decisions stored before episodes were numbered). */
  episode?: number;
};

export type AlertDoc = Described & {
  _id: string;
  status: AlertStatus;
  episode: number;
  channel: string | null;
  first_seen: Date;
  episode_started: Date;
  resolved_at: Date | null;
  changed_at: Date;
  // Fields of documents stored before episodes, when every notification updated this one
  // document; read (as episode 1) and never written.
  card_ts?: string | null;
  thread_ts?: string | null;
  run_id?: string | null;
  decisions?: AlertDecisionDoc[];
  notifications?: number;
  last_seen?: Date;
};

export function alertModel(conn: Connection): Model<AlertDoc> {
  return (conn.models.Alert as Model<AlertDoc> | undefined) ?? conn.model<AlertDoc>('Alert', AlertSchema);
}
