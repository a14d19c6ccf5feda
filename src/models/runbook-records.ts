// What the runbook store hands out (plain records, no mongoose documents) and the small
// naming rules it shares between files: scope keys, name keys, slugs.
import type { Connection, Model } from 'mongoose';

import type { RunbookSource } from '../engine/definition/index.js';
import type { Actor, CompiledRunbook, Scope } from '../engine/types.js';
import { auditEventModel, type AuditAction, type AuditEventDoc } from './audit-event-model.js';
import { runbookModel, type RunbookDoc } from './runbook-model.js';
import { storedActor, type StoredActor } from './runbook-subschemas.js';
import { runbookVersionModel, type RunbookVersionDoc } from './runbook-version-model.js';

/** A runbook as callers see it: the stored document with `id`, without its lookup keys. */
export type RunbookRecord = Omit<RunbookDoc, '_id' | 'name_key' | 'scope_key'> & { id: string };

export interface VersionSummary {
  runbook_id: string;
  number: number;
  author: StoredActor;
  note: string;
  created_at: Date;
  rollback_of: number | null;
  content_hash: string;
}

export interface VersionDetail extends VersionSummary {
  /** The definition as its author wrote it (export gives this back). */
  source: RunbookSource;
  compiled: CompiledRunbook;
}

export type AuditEventRecord = Omit<AuditEventDoc, '_id'>;

/** Models and clock shared by the store's parts. */
export interface StoreContext {
  Runbooks: Model<RunbookDoc>;
  Versions: Model<RunbookVersionDoc>;
  Audit: Model<AuditEventDoc>;
  now(): Date;
  /** Resolves once the models' indexes exist: the unique ones are what make races safe. */
  ready(): Promise<void>;
}

export function createStoreContext(conn: Connection, now: () => Date): StoreContext {
  const Runbooks = runbookModel(conn);
  const Versions = runbookVersionModel(conn);
  const Audit = auditEventModel(conn);
  let ready: Promise<void> | undefined;
  return {
    Runbooks,
    Versions,
    Audit,
    now,
    ready() {
      ready ??= Promise.all([Runbooks.init(), Versions.init(), Audit.init()]).then(() => undefined);
      return ready;
    },
  };
}

export async function recordAudit(
  ctx: StoreContext,
  event: { action: AuditAction; runbook_id: string; actor: Actor | StoredActor; version: number | null; note?: string },
): Promise<void> {
  await ctx.Audit.create({ ...event, actor: storedActor(event.actor), note: event.note ?? '', at: ctx.now() });
}

export function scopeOfSource(scope: RunbookSource['scope']): Scope {
  return scope === undefined || scope === 'global' ? { type: 'global' } : { type: 'company', company: scope.company };
}

export function scopeKey(scope: Scope): string {
  return scope.type === 'global' ? 'global' : `company:${scope.company}`;
}

export function describeScope(scope: Scope): string {
  return scope.type === 'global' ? 'global scope' : `company ${scope.company}`;
}

/** Names are unique per scope whatever their case, and found in any case. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

const MAX_SLUG_CHARS = 100;

/** "Deploy to Production" → "deploy-to-production"; accents dropped; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_SLUG_CHARS)
    .replace(/-+$/, '');
  return slug === '' ? 'runbook' : slug;
}

export function toRunbookRecord(doc: RunbookDoc): RunbookRecord {
  return {
    id: doc._id,
    name: doc.name,
    slug: doc.slug,
    scope: doc.scope.type === 'company' ? { type: 'company', company: doc.scope.company } : { type: 'global' },
    status: doc.status,
    audience: doc.audience,
    category: doc.category ?? null,
    tags: [...(doc.tags ?? [])],
    description: doc.description ?? '',
    latest_version: doc.latest_version,
    published_version: doc.published_version ?? null,
    forked_from: doc.forked_from ? { runbook_id: doc.forked_from.runbook_id, version: doc.forked_from.version } : null,
    builtin: doc.builtin ?? false,
    created_by: storedActor(doc.created_by),
    created_at: doc.created_at,
    updated_at: doc.updated_at,
  };
}

export function toVersionSummary(doc: Omit<RunbookVersionDoc, 'definition_json' | 'compiled_json'>): VersionSummary {
  return {
    runbook_id: doc.runbook_id,
    number: doc.number,
    author: storedActor(doc.author),
    note: doc.note ?? '',
    created_at: doc.created_at,
    rollback_of: doc.rollback_of ?? null,
    content_hash: doc.content_hash,
  };
}

export function toAuditEventRecord(doc: AuditEventDoc): AuditEventRecord {
  return {
    at: doc.at,
    actor: storedActor(doc.actor),
    action: doc.action,
    runbook_id: doc.runbook_id,
    version: doc.version ?? null,
    note: doc.note ?? '',
  };
}
