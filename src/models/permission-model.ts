// Who holds which permissions (DESIGN §2 required_permissions): one document per Slack user,
// user group or API key that was ever granted something, with its permissions as a sorted
// set, and its roles. A subject whose last permission and role are revoked loses its document.
import { Schema, type Connection, type Model } from 'mongoose';

import { SUBJECT_KINDS, type SubjectKind } from './permission-names.js';
import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

export const PermissionGrantSchema = new Schema(
  {
    _id: { type: String, required: true }, // the Slack id: U…/W… (user) or S… (user group), or apikey:NAME
    kind: { type: String, enum: SUBJECT_KINDS, required: true },
    /** `resource:action`, `resource:*` or `*`. */
    permissions: { type: [String], default: [] },
    /** Roles (role-names.ts): `operator`, or `operator@rnb_…` on one runbook. */
    roles: { type: [String], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    updated_by: { type: StoredActorSchema, required: true },
  },
  { collection: 'permission_grants', versionKey: false, minimize: false },
);

// missing(): the grants of a user and their groups are read by _id. The start check asks
// which user groups hold any grant covering what is missing (multikey on permissions).
PermissionGrantSchema.index({ kind: 1, permissions: 1 });
// The access check asks the same of roles.
PermissionGrantSchema.index({ kind: 1, roles: 1 });

export interface PermissionGrantDoc {
  _id: string;
  kind: SubjectKind;
  permissions: string[];
  /** Absent on documents written before roles. */
  roles?: string[];
  created_at: Date;
  updated_at: Date;
  updated_by: StoredActor;
}

export function permissionGrantModel(conn: Connection): Model<PermissionGrantDoc> {
  return (conn.models.PermissionGrant as Model<PermissionGrantDoc> | undefined) ?? conn.model<PermissionGrantDoc>('PermissionGrant', PermissionGrantSchema);
}
