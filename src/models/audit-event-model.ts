// Append-only trail of runbook lifecycle changes (who created, changed, published,
// archived, rolled back or forked a runbook, and when). Run commands are audited on the run
// document itself (run-model.ts).
import { Schema, Types, type Connection, type Model } from 'mongoose';

import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

export const AUDIT_ACTIONS = ['created', 'updated', 'published', 'archived', 'drafted', 'rolled_back', 'forked'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AuditEventSchema = new Schema(
  {
    // An ObjectId, left to the driver: it grows within a process, which orders events that
    // share a millisecond.
    at: { type: Date, required: true },
    actor: { type: StoredActorSchema, required: true },
    action: { type: String, enum: AUDIT_ACTIONS, required: true },
    runbook_id: { type: String, required: true },
    /** The version the action made or acted on. */
    version: { type: Number, default: null },
    note: { type: String, default: '' },
  },
  { collection: 'audit_events', versionKey: false, minimize: false },
);

// history(runbookId): one runbook's events in time order.
AuditEventSchema.index({ runbook_id: 1, at: 1 });

export interface AuditEventDoc {
  _id: Types.ObjectId;
  at: Date;
  actor: StoredActor;
  action: AuditAction;
  runbook_id: string;
  version: number | null;
  note: string;
}

export function auditEventModel(conn: Connection): Model<AuditEventDoc> {
  return (conn.models.AuditEvent as Model<AuditEventDoc> | undefined) ?? conn.model<AuditEventDoc>('AuditEvent', AuditEventSchema);
}
