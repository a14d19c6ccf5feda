// Who posts each of a run's thread replies: one document per attempt, `<run>#<reply key>#<n>`.
// Two bot instances rendering one run both see a reply missing; the one whose insert of the
// next attempt lands posts it. An insert is the one claim FerretDB v1 makes atomically.
import { Schema, type Connection, type Model } from 'mongoose';

export const ThreadPostSchema = new Schema(
  {
    _id: { type: String, required: true },
    run_id: { type: String, required: true },
    key: { type: String, required: true },
    n: { type: Number, required: true },
    at: { type: Date, required: true },
    posted_at: { type: Date, default: null },
    failed_at: { type: Date, default: null },
  },
  { collection: 'thread_posts', versionKey: false, minimize: false },
);
// Lookups are by _id only (an attempt series is read 1, 2, … until the first missing one).

export type ThreadPostDoc = {
  _id: string;
  run_id: string;
  key: string;
  n: number;
  at: Date;
  posted_at: Date | null;
  failed_at: Date | null;
};

export function threadPostModel(conn: Connection): Model<ThreadPostDoc> {
  return (conn.models.ThreadPost as Model<ThreadPostDoc> | undefined) ?? conn.model<ThreadPostDoc>('ThreadPost', ThreadPostSchema);
}
