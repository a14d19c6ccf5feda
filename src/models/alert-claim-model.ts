// The changes of an alert's state, one insert-only document each (ids in alert-ids.ts):
// `<fp>#<n>` episode n began, `<fp>#<n>#resolved` it resolved. Of two notifications that would
// make the same change (two deliveries of one re-fire on two processes), the one whose insert
// lands makes it; the other's fails with duplicate key and it is a repeat. Nothing here is
// ever updated, so nothing can be lost.
import { Schema, type Connection, type Model } from 'mongoose';

import { ALERT_STATUSES, type AlertStatus } from '../alerts/alert.js';
import { describedFields, type Described } from './alert-model.js';

const optionalDescribed = Object.fromEntries(Object.entries(describedFields).map(([name, def]) => [name, { ...def, required: false }]));

export const AlertClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['episode', 'resolved'], required: true },
    fingerprint: { type: String, required: true },
    episode: { type: Number, required: true },
    at: { type: Date, required: true },
    // An episode's: how it was first seen (resolved when the first notification ever was a
    // resolve), where, and what the alert was.
    status: { type: String, enum: ALERT_STATUSES },
    channel: { type: String, default: null },
    ...optionalDescribed,
  },
  { collection: 'alert_claims', versionKey: false, minimize: false },
);

export type EpisodeClaimDoc = Described & {
  _id: string;
  kind: 'episode';
  fingerprint: string;
  episode: number;
  at: Date;
  status: AlertStatus;
  channel: string | null;
};

export type ResolvedClaimDoc = { _id: string; kind: 'resolved'; fingerprint: string; episode: number; at: Date };

export type AlertClaimDoc = EpisodeClaimDoc | ResolvedClaimDoc;

export function alertClaimModel(conn: Connection): Model<AlertClaimDoc> {
  return (conn.models.AlertClaim as Model<AlertClaimDoc> | undefined) ?? conn.model<AlertClaimDoc>('AlertClaim', AlertClaimSchema);
}
