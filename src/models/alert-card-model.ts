// Attempts to post an episode's suggestion card, `<fp>#<episode>#card#<n>`. The attempt's
// insert is the right to post; only its poster writes to it afterwards (where the card landed,
// or that posting failed), so each document has one writer. Attempt 1 is the episode's winner's;
// a later one is a delivery repairing a card that never made it (alert-card-attempts.ts).
import { Schema, type Connection, type Model } from 'mongoose';

export const AlertCardSchema = new Schema(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    episode: { type: Number, required: true },
    n: { type: Number, required: true },
    /** When the attempt was claimed. */
    at: { type: Date, required: true },
    /** Where it is posted: the channel, and the message it answers in a thread (null: a message of its own). */
    channel: { type: String, required: true },
    thread_ts: { type: String, default: null },
    card_ts: { type: String, default: null },
    /** The thread the card and the runs it starts are in: thread_ts, or the card's own ts. */
    card_thread_ts: { type: String, default: null },
    posted_at: { type: Date, default: null },
    failed_at: { type: Date, default: null },
    error: { type: String, default: null },
  },
  { collection: 'alert_cards', versionKey: false, minimize: false },
);

export type AlertCardDoc = {
  _id: string;
  fingerprint: string;
  episode: number;
  n: number;
  at: Date;
  channel: string;
  thread_ts: string | null;
  card_ts: string | null;
  card_thread_ts: string | null;
  posted_at: Date | null;
  failed_at: Date | null;
  error: string | null;
};

export function alertCardModel(conn: Connection): Model<AlertCardDoc> {
  return (conn.models.AlertCard as Model<AlertCardDoc> | undefined) ?? conn.model<AlertCardDoc>('AlertCard', AlertCardSchema);
}
