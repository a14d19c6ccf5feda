import { Schema, type Connection, type Model } from 'mongoose';

/** Who applied a command; groups are kept as they were when it was applied. */
export const ActorSchema = new Schema(
  { kind: { type: String, required: true }, id: { type: String, required: true }, name: String, groups: { type: [String], default: undefined } },
  { _id: false },
);

/** One applied command: who, what, when, from where, and the status change it made. */
export const AuditEntrySchema = new Schema(
  {
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { type: ActorSchema, required: true },
    source: { type: String, default: null },
    command: { type: String, required: true },
    key: { type: String, default: null },
    step_id: { type: String, default: null },
    visit: { type: Number, default: null },
    outcome: { type: String, default: null },
    notes: { type: String, default: null },
    from_status: { type: String, required: true },
    to_status: { type: String, required: true },
  },
  { _id: false },
);

/**
 * The append-only audit trail of runs, and their source of truth: `_id` is `<run id>-<seq>`,
 * so of two writers moving a run from the same state only one inserts its event. `patch`
 * (RunDocPatch) is what the transition changed in the run document.
 */
export const RunEventSchema = new Schema(
  { _id: { type: String, required: true }, run_id: { type: String, required: true }, patch: { type: Schema.Types.Mixed, default: undefined } },
  { collection: 'run_events', versionKey: false },
);
RunEventSchema.add(AuditEntrySchema);

// A run's trail in order (`status` views, the API, exports).
RunEventSchema.index({ run_id: 1, seq: 1 });
// Idempotency beyond the run's key window: was this key applied to this run?
RunEventSchema.index({ run_id: 1, key: 1 });
// Who did what, most recent first.
RunEventSchema.index({ 'actor.id': 1, at: -1 });

export type RunEventDoc = { _id: string; run_id: string; seq: number; at: Date } & Record<string, unknown>;

export function runEventModel(conn: Connection): Model<RunEventDoc> {
  return (conn.models.RunEvent as Model<RunEventDoc> | undefined) ?? conn.model<RunEventDoc>('RunEvent', RunEventSchema);
}
