// A managed machine, as its runner describes it: one document per device, written by the
// runner at start and refreshed by its heartbeat. The bot reads it to refuse a run on a
// device that is unknown or offline, and to show `/runbook device ID`.
import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';

/** Device ids name BullMQ queues, so no ":" (BullMQ rejects it) and nothing a shell might read. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const DeviceId = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const DeviceSchema = new Schema(
  {
    _id: { type: String, required: true }, // the device id
    hostname: { type: String, required: true },
    os: {
      platform: { type: String, required: true },
      release: { type: String, required: true },
      arch: { type: String, required: true },
    },
    tags: { type: [String], default: [] },
    tools: { type: [String], default: [] },
    runner_version: { type: String, required: true },
    /** Identifies one runner process; a second runner with the same id shows up as a new session. */
    session: { type: String, required: true },
    pid: { type: Number, required: true },
    registered_at: { type: Date, required: true },
    started_at: { type: Date, required: true },
    last_seen: { type: Date, required: true },
    /** Set by a runner that stopped cleanly: offline at once instead of after missed heartbeats. */
    stopped_at: { type: Date, default: null },
  },
  { collection: 'devices', versionKey: false, minimize: false },
);
// Alerts match playbooks by device tags: find devices by tag.
DeviceSchema.index({ tags: 1 });

export type DeviceDoc = {
  _id: string;
  hostname: string;
  os: { platform: string; release: string; arch: string };
  tags: string[];
  tools: string[];
  runner_version: string;
  session: string;
  pid: number;
  registered_at: Date;
  started_at: Date;
  last_seen: Date;
  stopped_at: Date | null;
};

export function deviceModel(conn: Connection): Model<DeviceDoc> {
  return (conn.models.Device as Model<DeviceDoc> | undefined) ?? conn.model<DeviceDoc>('Device', DeviceSchema);
}
