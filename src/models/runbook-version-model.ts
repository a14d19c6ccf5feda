// Immutable runbook versions: written once, never updated. The _id is `${runbook_id}-v${n}`,
// so two writers racing for the same number collide on _id (code 11000) and the loser
// re-reads and takes the next number; no counter document is needed.
//
// The definition and its compiled form are stored as JSON text, not as subdocuments: users
// may write keys with "." or a leading "$" in tool_input/metadata, which MongoDB-compatible
// servers (FerretDB in particular) reject or misread; text round-trips exactly.
import { Schema, type Connection, type Model } from 'mongoose';

import { StoredActorSchema, type StoredActor } from './runbook-subschemas.js';

export const RunbookVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    runbook_id: { type: String, required: true },
    number: { type: Number, required: true },
    /** canonicalJson of the source as the author wrote it: export, and "unchanged?". */
    definition_json: { type: String, required: true },
    /** JSON of the CompiledRunbook, step ids included: what runs execute. */
    compiled_json: { type: String, required: true },
    /** sha256 (hex) of definition_json. */
    content_hash: { type: String, required: true },
    author: { type: StoredActorSchema, required: true },
    note: { type: String, default: '' },
    created_at: { type: Date, required: true },
    /** The version this one restored, when made by a rollback. */
    rollback_of: { type: Number, default: null },
  },
  { collection: 'runbook_versions', versionKey: false, minimize: false },
);

// History: a runbook's versions in order, and "the latest version" (sort number desc, limit 1).
RunbookVersionSchema.index({ runbook_id: 1, number: 1 }, { unique: true });

export interface RunbookVersionDoc {
  _id: string;
  runbook_id: string;
  number: number;
  definition_json: string;
  compiled_json: string;
  content_hash: string;
  author: StoredActor;
  note: string;
  created_at: Date;
  rollback_of: number | null;
}

export function versionDocId(runbookId: string, number: number): string {
  return `${runbookId}-v${number}`;
}

/** The RunbookVersion model on `conn`. */
export function runbookVersionModel(conn: Connection): Model<RunbookVersionDoc> {
  return (
    (conn.models.RunbookVersion as Model<RunbookVersionDoc> | undefined) ??
    conn.model<RunbookVersionDoc>('RunbookVersion', RunbookVersionSchema)
  );
}
