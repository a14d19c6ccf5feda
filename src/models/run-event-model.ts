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

/** The append-only audit trail of runs: `_id` is `<run id>-<seq>`, so a copy written twice is one entry. */
export const RunEventSchema = new Schema(
  { _id: { type: String, required: true }, run_id: { type: String, required: true } },
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
