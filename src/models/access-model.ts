// Whether roles are enforced, and the trail of refused commands. Enforcement is switched on
// by the first admin grant and stays on: revoking every admin later must not open the bot to
// everyone again (the CLI, which is always admin, can grant one anew).
import { Schema, Types, type Connection, type Model } from 'mongoose';

import { ACTIONS, type Action } from './role-names.js';
import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

export const ACCESS_STATE_ID = 'roles';

const AccessStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    enforced_at: { type: Date, required: true },
    enforced_by: { type: StoredActorSchema, required: true },
  },
  { collection: 'access_state', versionKey: false },
);

export interface AccessStateDoc {
  _id: string;
  enforced_at: Date;
  enforced_by: StoredActor;
}

const RefusalSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: StoredActorSchema, required: true },
    action: { type: String, enum: ACTIONS, required: true },
    runbook_id: { type: String, default: null },
    run_id: { type: String, default: null },
    /** Where the command came from: `slack`, `api`, `mcp`, `alerts`… as the surface says. */
    surface: { type: String, default: null },
    message: { type: String, required: true },
  },
  { collection: 'access_refusals', versionKey: false, minimize: false },
);

// refusals(): the most recent first.
RefusalSchema.index({ at: -1 });

export interface RefusalDoc {
  _id: Types.ObjectId;
  at: Date;
  actor: StoredActor;
  action: Action;
  runbook_id: string | null;
  run_id: string | null;
  surface: string | null;
  message: string;
}

export function accessStateModel(conn: Connection): Model<AccessStateDoc> {
  return (conn.models.AccessState as Model<AccessStateDoc> | undefined) ?? conn.model<AccessStateDoc>('AccessState', AccessStateSchema);
}

export function refusalModel(conn: Connection): Model<RefusalDoc> {
  return (conn.models.AccessRefusal as Model<RefusalDoc> | undefined) ?? conn.model<RefusalDoc>('AccessRefusal', RefusalSchema);
}
