// API keys for machine callers: one document per key, named by its _id. The key itself is
// never stored, only its sha256, so a copy of the database cannot be used to call the API.
import { Schema, type Connection, type Model } from 'mongoose';

import { API_SCOPES, type ApiScope } from './api-key-names.js';
import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

export const ApiKeySchema = new Schema(
  {
    // The key's name (api-key-names.ts): the _id index makes a name unique, and serves
    // revoke and create's duplicate check (an insert that collides with 11000).
    _id: { type: String, required: true },
    /** sha256 hex of the whole key text. */
    key_hash: { type: String, required: true },
    /** The first characters after `rbk_`, so a person can tell keys apart in a list. */
    prefix: { type: String, required: true },
    scopes: { type: [{ type: String, enum: API_SCOPES }], default: [] },
    created_at: { type: Date, required: true },
    created_by: { type: StoredActorSchema, required: true },
    last_used_at: { type: Date },
  },
  { collection: 'api_keys', versionKey: false, minimize: false },
);

// authenticate(): the key presented by a caller is looked up by its hash.
ApiKeySchema.index({ key_hash: 1 }, { unique: true });

export interface ApiKeyDoc {
  _id: string;
  key_hash: string;
  prefix: string;
  scopes: ApiScope[];
  created_at: Date;
  created_by: StoredActor;
  last_used_at?: Date;
}

export function apiKeyModel(conn: Connection): Model<ApiKeyDoc> {
  return (conn.models.ApiKey as Model<ApiKeyDoc> | undefined) ?? conn.model<ApiKeyDoc>('ApiKey', ApiKeySchema);
}
