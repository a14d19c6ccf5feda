import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Idempotency keys that have left a run's window (`applied_keys` keeps the last 100): `_id` is
 * `<run id>|<key>`, so "was this key applied?" is one read by `_id` however long the run's
 * history. (A query on run_events by run and key would scan: FerretDB pushes down only `_id`.)
 */
export const RunKeySchema = new Schema(
  { _id: { type: String, required: true }, run_id: { type: String, required: true } },
  { collection: 'run_keys', versionKey: false },
);

export type RunKeyDoc = { _id: string; run_id: string };

export const runKeyId = (runId: string, key: string): string => `${runId}|${key}`;

export function runKeyModel(conn: Connection): Model<RunKeyDoc> {
  return (conn.models.RunKey as Model<RunKeyDoc> | undefined) ?? conn.model<RunKeyDoc>('RunKey', RunKeySchema);
}
