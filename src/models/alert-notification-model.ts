// Every notification received, one insert-only document each: how many an alert had and when
// it was last seen, without any delivery writing to a document another delivery writes (a
// shared counter would lose increments on FerretDB v1, which applies `$inc` as a read and a
// whole-document write).
import { Schema, type Connection, type Model } from 'mongoose';

import { ALERT_STATUSES, type AlertStatus } from '../alerts/alert.js';

export const AlertNotificationSchema = new Schema(
  {
    fingerprint: { type: String, required: true },
    status: { type: String, enum: ALERT_STATUSES, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'alert_notifications', versionKey: false },
);
// `/runbook alerts` reads the latest first; one alert's are counted.
AlertNotificationSchema.index({ at: -1 });
AlertNotificationSchema.index({ fingerprint: 1 });

export type AlertNotificationDoc = { fingerprint: string; status: AlertStatus; at: Date };

export function alertNotificationModel(conn: Connection): Model<AlertNotificationDoc> {
  return (conn.models.AlertNotification as Model<AlertNotificationDoc> | undefined) ?? conn.model<AlertNotificationDoc>('AlertNotification', AlertNotificationSchema);
}
