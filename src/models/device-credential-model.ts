// Enrolled devices: one document per device id with the public half of its credential
// (device-credential.ts). Revoking deletes it: results signed with the old key are refused.
import { Schema, type Connection, type Model } from 'mongoose';

import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

const DeviceCredentialSchema = new Schema(
  {
    _id: { type: String, required: true }, // the device id
    /** Ed25519 SPKI DER, base64. */
    public_key: { type: String, required: true },
    created_at: { type: Date, required: true },
    created_by: { type: StoredActorSchema, required: true },
  },
  { collection: 'device_credentials', versionKey: false },
);

export interface DeviceCredentialDoc {
  _id: string;
  public_key: string;
  created_at: Date;
  created_by: StoredActor;
}

export function deviceCredentialModel(conn: Connection): Model<DeviceCredentialDoc> {
  return (conn.models.DeviceCredential as Model<DeviceCredentialDoc> | undefined) ?? conn.model<DeviceCredentialDoc>('DeviceCredential', DeviceCredentialSchema);
}
