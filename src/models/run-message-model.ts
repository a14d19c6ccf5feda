// Where a run's live Slack message is: one document per run. The run itself knows nothing
// of Slack; the bot keeps this pointer so any process can update the message and post the
// thread replies.
import { Schema, type Connection, type Model } from 'mongoose';

export const RunMessageSchema = new Schema(
  {
    _id: { type: String, required: true }, // the run id
    channel: { type: String, required: true },
    ts: { type: String, required: true },
    /** Where finished steps are posted: the message's own thread, or the thread it was posted in. */
    thread_ts: { type: String, required: true },
    /** `stepId#visit` of each finished step visit already posted to the thread. */
    reported: { type: [String], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'run_messages', versionKey: false, minimize: false },
);
// Lookups are by _id (run id) only.

export type RunMessageDoc = {
  _id: string;
  channel: string;
  ts: string;
  thread_ts: string;
  reported: string[];
  created_at: Date;
  updated_at: Date;
};

export function runMessageModel(conn: Connection): Model<RunMessageDoc> {
  return (conn.models.RunMessage as Model<RunMessageDoc> | undefined) ?? conn.model<RunMessageDoc>('RunMessage', RunMessageSchema);
}
