// The runbook store (DESIGN §3): saving definitions as immutable versions, the lifecycle
// draft → published → archived (→ draft), rollback, fork, and the snapshot a run pins.
// Every lifecycle change leaves an audit event. Works on MongoDB and FerretDB alike: no
// transactions. Races between writers of versions are settled by inserts that collide on a
// unique index (11000), which both servers apply atomically; conditional updates are used
// for status changes too, but FerretDB 1.24 does not apply those atomically (see syncLatest).
import type { Connection } from 'mongoose';

import { canonicalJson, compileRunbook, formatProblem, parseDefinition, type RunbookSource } from '../engine/definition/index.js';
import { diffRunbooks, isEmptyDiff, type RunbookDiff } from '../engine/runbook-diff.js';
import type { Actor, CompiledRunbook, RunbookSnapshot, Scope } from '../engine/types.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { newId } from '../ids.js';
import type { AuditEventDoc } from './audit-event-model.js';
import type { RunbookDoc } from './runbook-model.js';
import { createRunbookLookup, type FindOptions, type ListOptions, type RunbookPage } from './runbook-lookup.js';
import { createRunbookCreator, remapStepIds } from './runbook-create.js';
import {
  createStoreContext,
  describeScope,
  nameKey,
  recordAudit,
  scopeKey,
  scopeOfSource,
  toAuditEventRecord,
  toRunbookRecord,
  type AuditEventRecord,
  type RunbookRecord,
  type VersionDetail,
  type VersionSummary,
} from './runbook-records.js';
import { assertEditable, createBuiltinSync, type BuiltinInput } from './runbook-builtins.js';
import type { RunbookVersionDoc } from './runbook-version-model.js';
import { assignStepIds, createVersionOps, type VersionDraft } from './runbook-versions.js';

export interface SaveInput {
  source: RunbookSource;
  author: Actor;
  note?: string | undefined;
  /** Publish the resulting latest version (also when the source was unchanged). */
  publish?: boolean | undefined;
  /** Refuse (conflict) instead of adding a version when the name is taken in the scope. */
  mustCreate?: boolean | undefined;
}

export interface SaveResult {
  runbook: RunbookRecord;
  /** The new version, or the latest one when nothing changed. */
  version: VersionDetail;
  created: boolean;
  changed: boolean;
}

export interface ForkInput {
  scope: Scope;
  /** Defaults to the original's name. */
  name?: string | undefined;
  author: Actor;
}

export interface RunbookStoreOptions {
  now?: () => Date;
}

export type { BuiltinInput } from './runbook-builtins.js';
export type { FindOptions, ListOptions, RunbookPage } from './runbook-lookup.js';
export type { AuditEventRecord, RunbookRecord, VersionDetail, VersionSummary } from './runbook-records.js';
export type RunbookStore = ReturnType<typeof createRunbookStore>;

type Lifecycle = 'published' | 'archived' | 'drafted';
const MAX_STATUS_ATTEMPTS = 5;

export function createRunbookStore(conn: Connection, options: RunbookStoreOptions = {}) {
  const ctx = createStoreContext(conn, options.now ?? (() => new Date()));
  const lookup = createRunbookLookup(ctx);
  const versions = createVersionOps(ctx);
  const creator = createRunbookCreator(ctx, versions);
  const freshStepId = () => newId('rbs');

  function compile(source: RunbookSource, ids: string[]): CompiledRunbook {
    try {
      return compileRunbook(source, (_step, index) => ids[index] ?? freshStepId());
    } catch (e) {
      // Only a source that skipped parseDefinition gets here.
      throw new AppError(ErrorCode.Validation, (e as Error).message, { cause: e });
    }
  }

  function firstDraft(source: RunbookSource, note: string): VersionDraft {
    const compiled_json = JSON.stringify(compile(source, assignStepIds(source.steps, [], freshStepId)));
    return { definition_json: canonicalJson(source), compiled_json, note, rollback_of: null };
  }

  /** The version to append on top of `latest`, or null when `source` says the same. */
  function nextDraft(source: RunbookSource, note: string) {
    const definition_json = canonicalJson(source);
    return (latest: RunbookVersionDoc): VersionDraft | null => {
      if (latest.definition_json === definition_json) return null;
      const previous = versions.compiledOf(latest);
      const compiled = compile(source, assignStepIds(source.steps, previous.steps, freshStepId));
      // Spelling a default out (`required: true`) or leaving it out is no change.
      if (isEmptyDiff(diffRunbooks(previous, compiled))) return null;
      return { definition_json, compiled_json: JSON.stringify(compiled), note, rollback_of: null };
    };
  }

  const installBuiltin = createBuiltinSync({ ctx, versions, creator, firstDraft, nextDraft });

  /**
   * Every published runbook (of a category) with the version a run would start from: one
   * list read per 100 runbooks, the compiled versions from the cache, no re-read of each.
   */
  async function published(opts: Pick<ListOptions, 'category'> = {}): Promise<Array<{ record: RunbookRecord; snapshot: RunbookSnapshot }>> {
    const out: Array<{ record: RunbookRecord; snapshot: RunbookSnapshot }> = [];
    let cursor: string | undefined;
    do {
      const category = opts.category === undefined ? {} : { category: opts.category };
      const page = await lookup.list({ status: 'published', limit: 100, ...category, ...(cursor ? { cursor } : {}) });
      for (const r of page.items) {
        if (r.published_version === null) continue;
        const compiled = await versions.compiledVersion({ _id: r.id, latest_version: r.latest_version }, r.published_version);
        out.push({ record: r, snapshot: { ...compiled, runbook_id: r.id, version: r.published_version } });
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  /**
   * Moves a runbook to a lifecycle status, conditional on what was read; no-op when already
   * there. Built-ins are refused unless `builtinSync` (their own sync publishing them).
   */
  async function changeStatus(id: string, author: Actor, action: Lifecycle, builtinSync = false): Promise<RunbookRecord> {
    await ctx.ready();
    for (let attempt = 0; attempt < MAX_STATUS_ATTEMPTS; attempt++) {
      const doc = await lookup.getDoc(id);
      if (!builtinSync) assertEditable(doc);
      // The versions collection, not the runbook's copy, says which version is the latest.
      const latest = (await versions.latestDoc(id)).number;
      const next = planStatus({ ...doc, latest_version: latest }, action);
      if (next === null) return toRunbookRecord(doc);
      const updated_at = ctx.now();
      const result = await ctx.Runbooks.updateOne(
        { _id: id, status: doc.status, published_version: doc.published_version },
        { $set: { ...next, updated_at } },
      ).exec();
      if (result.matchedCount === 1) {
        await versions.syncLatest(id);
        const version = action === 'published' ? next.published_version : latest;
        await recordAudit(ctx, { action, runbook_id: id, actor: author, version });
        return toRunbookRecord(await lookup.getDoc(id));
      }
    }
    throw new AppError(ErrorCode.Conflict, `runbook ${id} is being changed by others; try again`);
  }

  /** The latest version's source with every step's id written out, so edits keep step identity. */
  function editableSourceOf(latest: RunbookVersionDoc): RunbookSource {
    const source = JSON.parse(latest.definition_json) as RunbookSource;
    const compiled = versions.compiledOf(latest);
    return { ...source, steps: source.steps.map((step, i) => ({ ...step, id: compiled.steps[i]?.id ?? step.id })) };
  }

  /** Points the name's lookup key at `name`; the unique index refuses a name taken in the scope. */
  async function rename(doc: RunbookDoc, name: string): Promise<void> {
    if (nameKey(name) === doc.name_key) return;
    try {
      await ctx.Runbooks.updateOne({ _id: doc._id }, { $set: { name_key: nameKey(name) } }).exec();
    } catch (e) {
      if (isDuplicateKeyError(e)) throw new AppError(ErrorCode.Conflict, `a runbook named "${name}" already exists in ${describeScope(doc.scope)}`);
      throw e;
    }
  }

  const store = {
    /**
     * A new version of runbook `id` made by `edit` from the latest one (step ids written out,
     * so steps keep their ids). The result is validated as any definition: a problem throws a
     * validation error with every problem's path and changes nothing. A published runbook
     * publishes the new version, so new runs take it; runs already started keep theirs.
     */
    async revise(id: string, edit: (source: RunbookSource) => unknown, author: Actor, note = ''): Promise<SaveResult> {
      await ctx.ready();
      const doc = await lookup.getDoc(id);
      assertEditable(doc);
      const revised = (latest: RunbookVersionDoc): RunbookSource => {
        const parsed = parseDefinition(edit(editableSourceOf(latest)));
        if (!parsed.ok) {
          throw new AppError(ErrorCode.Validation, parsed.problems.map(formatProblem).join('; '), { details: { problems: parsed.problems } });
        }
        if (canonicalJson(scopeOfSource(parsed.source.scope)) !== canonicalJson(doc.scope)) {
          throw new AppError(ErrorCode.Validation, 'scope: cannot change; fork the runbook into the other scope instead');
        }
        return parsed.source;
      };
      // Checked and renamed before any version exists, so a refused edit leaves nothing behind.
      await rename(doc, revised(await versions.latestDoc(id)).name);
      const { doc: version, appended } = await versions.append(doc, author, (latest) => nextDraft(revised(latest), note)(latest));
      if (appended) await recordAudit(ctx, { action: 'updated', runbook_id: id, actor: author, version: version.number, note });
      const runbook = appended && doc.status === 'published' ? await changeStatus(id, author, 'published') : toRunbookRecord(await lookup.getDoc(id));
      return { runbook, version: versions.detail(version), created: false, changed: appended };
    },

    /** The compiled form of a runbook's latest version (from the version cache). */
    async latestCompiled(runbook: Pick<RunbookRecord, 'id' | 'latest_version'>): Promise<CompiledRunbook> {
      return versions.compiledVersion({ _id: runbook.id, latest_version: runbook.latest_version }, runbook.latest_version);
    },

    /** The latest version's source with step ids written out (what revise edits). */
    async editableSource(id: string): Promise<RunbookSource> {
      await lookup.getDoc(id);
      return editableSourceOf(await versions.latestDoc(id));
    },

    /** Deletes a runbook and its versions for good (its runs are the caller's to delete first). */
    async remove(id: string): Promise<void> {
      await ctx.ready();
      const doc = await lookup.getDoc(id);
      assertEditable(doc);
      // The runbook first: once it is gone nothing finds the versions it pointed at.
      await ctx.Runbooks.deleteOne({ _id: id }).exec();
      await ctx.Versions.deleteMany({ runbook_id: id }).exec();
    },

    async save(input: SaveInput): Promise<SaveResult> {
      await ctx.ready();
      const { source, author, note = '', publish = false, mustCreate = false } = input;
      const taken = () => new AppError(ErrorCode.Conflict, `a runbook named "${source.name}" already exists in ${describeScope(scope)}`);
      const scope = scopeOfSource(source.scope);
      for (let attempt = 0; attempt < MAX_STATUS_ATTEMPTS; attempt++) {
        const existing = await ctx.Runbooks.findOne({ scope_key: scopeKey(scope), name_key: nameKey(source.name) })
          .lean<RunbookDoc>()
          .exec();
        if (existing === null) {
          const made = await creator.create({ scope, author, draft: firstDraft(source, note) });
          if (made === null && mustCreate) throw taken();
          if (made === null) continue; // someone created the same name meanwhile: append to theirs
          await recordAudit(ctx, { action: 'created', runbook_id: made.runbook._id, actor: author, version: 1, note });
          const runbook = publish ? await changeStatus(made.runbook._id, author, 'published') : toRunbookRecord(made.runbook);
          return { runbook, version: versions.detail(made.version), created: true, changed: true };
        }
        if (mustCreate) throw taken();
        assertEditable(existing);
        if (publish && existing.status === 'archived') throw archivedConflict(existing);
        const { doc, appended } = await versions.append(existing, author, nextDraft(source, note));
        if (appended) await recordAudit(ctx, { action: 'updated', runbook_id: existing._id, actor: author, version: doc.number, note });
        const runbook = publish
          ? await changeStatus(existing._id, author, 'published')
          : toRunbookRecord(await lookup.getDoc(existing._id));
        return { runbook, version: versions.detail(doc), created: false, changed: appended };
      }
      throw new AppError(ErrorCode.Conflict, `runbook "${source.name}" is being changed by others; try again`);
    },

    async find(nameOrIdOrSlug: string, opts: FindOptions = {}): Promise<RunbookRecord> {
      return toRunbookRecord(await lookup.findDoc(nameOrIdOrSlug, opts));
    },

    async get(id: string): Promise<RunbookRecord> {
      return toRunbookRecord(await lookup.getDoc(id));
    },

    list(opts: ListOptions = {}): Promise<RunbookPage> {
      return lookup.list(opts);
    },

    async versions(runbookId: string): Promise<VersionSummary[]> {
      await lookup.getDoc(runbookId);
      return versions.summaries(runbookId);
    },

    async version(runbookId: string, number: number): Promise<VersionDetail> {
      return versions.detail(await versions.versionDoc(await lookup.getDoc(runbookId), number));
    },

    async diff(runbookId: string, a: number, b: number): Promise<RunbookDiff> {
      const runbook = await lookup.getDoc(runbookId);
      return diffRunbooks(await versions.compiledVersion(runbook, a), await versions.compiledVersion(runbook, b));
    },

    /** A new version with the content of version `number`; refused when the latest already has it. */
    async rollback(runbookId: string, number: number, author: Actor): Promise<VersionDetail> {
      await ctx.ready();
      const runbook = await lookup.getDoc(runbookId);
      assertEditable(runbook);
      const target = await versions.versionDoc(runbook, number);
      const note = `rollback to v${number}`;
      const { doc } = await versions.append(runbook, author, (latest) => {
        if (latest.content_hash === target.content_hash) {
          throw new AppError(ErrorCode.Conflict, `v${latest.number} of runbook "${runbook.name}" already has the content of v${number}`);
        }
        // The compiled text is copied as is, so the steps get back v{number}'s ids too.
        return { definition_json: target.definition_json, compiled_json: target.compiled_json, note, rollback_of: number };
      });
      await recordAudit(ctx, { action: 'rolled_back', runbook_id: runbookId, actor: author, version: doc.number, note });
      return versions.detail(doc);
    },

    publish: (id: string, author: Actor) => changeStatus(id, author, 'published'),
    archive: (id: string, author: Actor) => changeStatus(id, author, 'archived'),
    toDraft: (id: string, author: Actor) => changeStatus(id, author, 'drafted'),

    /**
     * Installs or updates a built-in playbook from its shipped source and keeps it published:
     * for syncBuiltinPlaybooks only, the one writer built-ins have (runbook-builtins.ts).
     */
    async syncBuiltin(input: BuiltinInput): Promise<SaveResult> {
      await ctx.ready();
      const synced = await installBuiltin(input);
      const runbook = await changeStatus(synced.doc._id, input.author, 'published', true);
      return { runbook, version: versions.detail(synced.version), created: synced.created, changed: synced.changed };
    },

    /**
     * An independent copy of the latest version in `scope`, with new ids, remembering its
     * origin. A copy of a built-in is an ordinary, editable runbook.
     */
    async fork(id: string, input: ForkInput): Promise<SaveResult> {
      await ctx.ready();
      const original = await lookup.getDoc(id);
      const latest = await versions.latestDoc(id);
      const name = input.name ?? original.name;
      const taken = () => new AppError(ErrorCode.Conflict, `a runbook named "${name}" already exists in ${describeScope(input.scope)}`);
      if (await ctx.Runbooks.exists({ scope_key: scopeKey(input.scope), name_key: nameKey(name) })) throw taken();

      const old = versions.compiledOf(latest);
      const fresh = old.steps.map(freshStepId);
      const source = remapStepIds(JSON.parse(latest.definition_json) as RunbookSource, new Map(old.steps.map((s, i) => [s.id, fresh[i] ?? freshStepId()])));
      source.name = name;
      if (input.scope.type === 'global') delete source.scope;
      else source.scope = { company: input.scope.company };
      const note = `forked from ${id} v${latest.number}`;
      const made = await creator.create({
        scope: input.scope,
        author: input.author,
        draft: { definition_json: canonicalJson(source), compiled_json: JSON.stringify(compile(source, fresh)), note, rollback_of: null },
        forked_from: { runbook_id: id, version: latest.number },
      });
      if (made === null) throw taken();
      await recordAudit(ctx, { action: 'forked', runbook_id: made.runbook._id, actor: input.author, version: 1, note });
      return { runbook: toRunbookRecord(made.runbook), version: versions.detail(made.version), created: true, changed: true };
    },

    /** The published version, as the run pins it; refused unless the runbook is published. */
    async snapshotForRun(nameOrId: string, opts: FindOptions = {}): Promise<RunbookSnapshot> {
      const runbook = await lookup.findDoc(nameOrId, opts);
      if (runbook.status !== 'published' || runbook.published_version === null) {
        throw new AppError(ErrorCode.Conflict, `runbook "${runbook.name}" is ${runbook.status}: only published runbooks can start runs`, {
          details: { runbook_id: runbook._id, status: runbook.status },
        });
      }
      const compiled = await versions.compiledVersion(runbook, runbook.published_version);
      return { ...compiled, runbook_id: runbook._id, version: runbook.published_version };
    },

    published,

    /** Every published runbook as a run would start it (alert matching). */
    async publishedSnapshots(): Promise<RunbookSnapshot[]> {
      return (await published()).map((p) => p.snapshot);
    },

    async history(runbookId: string): Promise<AuditEventRecord[]> {
      await lookup.getDoc(runbookId);
      const docs = await ctx.Audit.find({ runbook_id: runbookId }).sort({ at: 1, _id: 1 }).lean<AuditEventDoc[]>().exec();
      return docs.map(toAuditEventRecord);
    },
  };
  return store;
}

function archivedConflict(doc: RunbookDoc): AppError {
  return new AppError(ErrorCode.Conflict, `runbook "${doc.name}" is archived: move it back to draft before publishing`, {
    details: { runbook_id: doc._id, status: doc.status },
  });
}

/** The fields to set for `action`, or null when the runbook is already there. */
function planStatus(doc: RunbookDoc, action: Lifecycle): Pick<RunbookDoc, 'status' | 'published_version'> | null {
  switch (action) {
    case 'published':
      if (doc.status === 'archived') throw archivedConflict(doc);
      if (doc.status === 'published' && doc.published_version === doc.latest_version) return null;
      return { status: 'published', published_version: doc.latest_version };
    case 'archived':
      // published_version is kept as the record of what was live; the status stops new runs.
      return doc.status === 'archived' ? null : { status: 'archived', published_version: doc.published_version };
    case 'drafted':
      return doc.status === 'draft' ? null : { status: 'draft', published_version: null };
  }
}
