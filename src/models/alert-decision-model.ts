// What people (and auto_execute) decided about an episode of an alert. A run is claimed before
// it starts, as `<fp>#<episode>#run#<k>` (k: the episode's k-th run): of two Run clicks at once,
// on any processes, one insert lands and the other is told a run is being started. Only the
// claimer writes to its claim afterwards (started, with the run, or released: the start asked
// for inputs or was refused). A dismiss is inserted and never changed.
import { Schema, type Connection, type Model } from 'mongoose';

import type { AlertDecisionDoc } from './alert-model.js';
import { ActorSchema } from './run-event-model.js';

export const DECISION_STATES = ['claimed', 'started', 'released', 'decided'] as const;
export type DecisionState = (typeof DECISION_STATES)[number];

export const AlertDecisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    episode: { type: Number, required: true },
    action: { type: String, enum: ['run', 'dismiss', 'auto_run'], required: true },
    /** Runs: the claim's number within the episode. */
    k: { type: Number, default: null },
    /** claimed → started | released for runs; decided for a dismiss. */
    state: { type: String, enum: DECISION_STATES, required: true },
    runbook_id: { type: String, default: null },
    run_id: { type: String, default: null },
    by: { type: ActorSchema, required: true },
    /** When claimed; for a started run, when it started. */
    at: { type: Date, required: true },
  },
  { collection: 'alert_decisions', versionKey: false, minimize: false },
);
// An alert's decisions are read together, for its card and `/runbook alerts`.
AlertDecisionSchema.index({ fingerprint: 1, at: 1 });

export type AlertDecisionRecord = Required<Omit<AlertDecisionDoc, 'episode'>> & {
  _id: string;
  fingerprint: string;
  episode: number;
  k: number | null;
  state: DecisionState;
};

/** Started runs and dismisses: what the alert's views show. Claims still open or given up are not decisions. */
export const isShownDecision = (d: AlertDecisionRecord) => d.state === 'started' || d.state === 'decided';

export function alertDecisionModel(conn: Connection): Model<AlertDecisionRecord> {
  return (conn.models.AlertDecision as Model<AlertDecisionRecord> | undefined) ?? conn.model<AlertDecisionRecord>('AlertDecision', AlertDecisionSchema);
}
