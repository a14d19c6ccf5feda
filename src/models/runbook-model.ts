// One document per runbook: its identity (id, name, slug, scope), lifecycle status and the
// pointers into its immutable versions (runbook-version-model.ts). Descriptive fields
// (description, category, tags, audience) mirror the latest version so lists need no join.
import { Schema, type Connection, type Model } from 'mongoose';

import type { Audience, Scope } from '../engine/types.js';
import { StoredActorSchema, StoredScopeSchema, type StoredActor } from './runbook-subschemas.js';

export const RUNBOOK_STATUSES = ['draft', 'published', 'archived'] as const;
export type RunbookStatus = (typeof RUNBOOK_STATUSES)[number];

export const RunbookSchema = new Schema(
  {
    _id: { type: String, required: true }, // rnb_…
    name: { type: String, required: true },
    /** name.toLowerCase(): names are unique per scope whatever their case. */
    name_key: { type: String, required: true },
    /** kebab-case of the name, e.g. deploy-to-production; unique per scope. */
    slug: { type: String, required: true },
    scope: { type: StoredScopeSchema, required: true },
    /** 'global' or 'company:<name>': one string so it can lead compound indexes. */
    scope_key: { type: String, required: true },
    status: { type: String, enum: RUNBOOK_STATUSES, required: true },
    audience: { type: String, required: true },
    category: { type: String, default: null },
    tags: { type: [String], default: [] },
    description: { type: String, default: '' },
    latest_version: { type: Number, required: true },
    /** The version runs start from; null unless published. */
    published_version: { type: Number, default: null },
    forked_from: {
      type: new Schema({ runbook_id: { type: String, required: true }, version: { type: Number, required: true } }, { _id: false }),
      default: null,
    },
    builtin: { type: Boolean, default: false },
    created_by: { type: StoredActorSchema, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'runbooks', versionKey: false, minimize: false },
);

// save/import and fork: "is there already a runbook with this name (any case) in this scope?"
RunbookSchema.index({ scope_key: 1, name_key: 1 }, { unique: true });
// find by slug (`/runbook start deploy-to-production`), and picking a free slug on create.
RunbookSchema.index({ scope_key: 1, slug: 1 }, { unique: true });
// list: runbooks in some statuses and scopes, ordered by name (then _id for the cursor).
RunbookSchema.index({ status: 1, scope_key: 1, name_key: 1 });
// list --tag: runbooks carrying a tag (multikey).
RunbookSchema.index({ tags: 1 });
// list --category: runbooks in a category.
RunbookSchema.index({ category: 1 });

export interface RunbookDoc {
  _id: string;
  name: string;
  name_key: string;
  slug: string;
  scope: Scope;
  scope_key: string;
  status: RunbookStatus;
  audience: Audience;
  category: string | null;
  tags: string[];
  description: string;
  latest_version: number;
  published_version: number | null;
  forked_from: { runbook_id: string; version: number } | null;
  builtin: boolean;
  created_by: StoredActor;
  created_at: Date;
  updated_at: Date;
}

/** The Runbook model on `conn` (never the global mongoose connection). */
export function runbookModel(conn: Connection): Model<RunbookDoc> {
  return (conn.models.Runbook as Model<RunbookDoc> | undefined) ?? conn.model<RunbookDoc>('Runbook', RunbookSchema);
}
