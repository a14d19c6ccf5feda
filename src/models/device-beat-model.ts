import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One runner session's liveness, `_id` `<device id>#<session>`: written only by that session's
 * runner (heartbeats, a clean stop). The device document is written only by registrations, so
 * no two processes update one document: on FerretDB a stale runner's conditional heartbeat
 * (`{_id, session}`, a read then a whole-document write) could otherwise put back the session
 * a newer runner had just registered.
 */
export const DeviceBeatSchema = new Schema(
  { _id: { type: String, required: true }, last_seen: { type: Date, required: true }, stopped_at: { type: Date, default: null } },
  { collection: 'device_beats', versionKey: false },
);

export type DeviceBeatDoc = { _id: string; last_seen: Date; stopped_at: Date | null };

export const deviceBeatId = (deviceId: string, session: string): string => `${deviceId}#${session}`;

export function deviceBeatModel(conn: Connection): Model<DeviceBeatDoc> {
  return (conn.models.DeviceBeat as Model<DeviceBeatDoc> | undefined) ?? conn.model<DeviceBeatDoc>('DeviceBeat', DeviceBeatSchema);
}
