// Immutable versions of a runbook: appending one safely under concurrent writers, keeping
// step ids stable from version to version, and reading versions back (cached: they never change).
import { createHash } from 'node:crypto';

import type { RunbookSource, StepSource } from '../engine/definition/index.js';
import type { Actor, CompiledRunbook, CompiledStep } from '../engine/types.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { createLru } from '../lru.js';
import type { RunbookDoc } from './runbook-model.js';
import { toVersionSummary, type StoreContext, type VersionDetail, type VersionSummary } from './runbook-records.js';
import { storedActor } from './runbook-subschemas.js';
import { versionDocId, type RunbookVersionDoc } from './runbook-version-model.js';

/** Enough for a handful of simultaneous editors; past that, tell the caller to try again. */
const MAX_APPEND_ATTEMPTS = 8;
const CACHE_ENTRIES = 200;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Ids for the steps of a new version, so a step keeps its id while it is edited: an explicit
 * `id` wins; then the previous version's step with the same ref; then the first unused one
 * with the same label; else a fresh id. Refs are matched before labels so a label match
 * cannot take an id that a ref match needs.
 */
export function assignStepIds(steps: readonly StepSource[], previous: readonly CompiledStep[], fresh: () => string): string[] {
  const ids: (string | undefined)[] = steps.map((step) => step.id);
  const used = new Set(ids.filter((id): id is string => id !== undefined));
  const claim = (matches: (old: CompiledStep) => boolean): string | undefined => {
    const old = previous.find((candidate) => !used.has(candidate.id) && matches(candidate));
    if (old !== undefined) used.add(old.id);
    return old?.id;
  };
  steps.forEach((step, i) => {
    if (ids[i] === undefined && step.ref !== undefined) ids[i] = claim((old) => old.ref === step.ref);
  });
  steps.forEach((step, i) => {
    if (ids[i] === undefined) ids[i] = claim((old) => old.label === step.label);
  });
  return ids.map((id) => id ?? fresh());
}

/** The fields a new version needs besides its number and author. */
export interface VersionDraft {
  definition_json: string;
  compiled_json: string;
  note: string;
  rollback_of: number | null;
}

export function buildVersionDoc(runbookId: string, number: number, draft: VersionDraft, author: Actor, at: Date): RunbookVersionDoc {
  return {
    _id: versionDocId(runbookId, number),
    runbook_id: runbookId,
    number,
    definition_json: draft.definition_json,
    compiled_json: draft.compiled_json,
    content_hash: sha256(draft.definition_json),
    author: storedActor(author),
    note: draft.note,
    created_at: at,
    rollback_of: draft.rollback_of,
  };
}

export type VersionOps = ReturnType<typeof createVersionOps>;

export function createVersionOps(ctx: StoreContext) {
  const { Runbooks, Versions } = ctx;
  const cache = createLru<CompiledRunbook>(CACHE_ENTRIES);

  async function latestDoc(runbookId: string): Promise<RunbookVersionDoc> {
    const doc = await Versions.findOne({ runbook_id: runbookId }).sort({ number: -1 }).lean<RunbookVersionDoc>().exec();
    if (!doc) throw new AppError(ErrorCode.NotFound, `runbook ${runbookId} has no versions`);
    return doc;
  }

  async function versionDoc(runbook: Pick<RunbookDoc, '_id' | 'latest_version'>, number: number): Promise<RunbookVersionDoc> {
    const doc = Number.isInteger(number)
      ? await Versions.findById(versionDocId(runbook._id, number)).lean<RunbookVersionDoc>().exec()
      : null;
    if (!doc) {
      throw new AppError(ErrorCode.NotFound, `runbook ${runbook._id} has no version ${number} (latest is v${runbook.latest_version})`, {
        details: { runbook_id: runbook._id, version: number, latest_version: runbook.latest_version },
      });
    }
    return doc;
  }

  /** Parsed compiled form; callers get their own copy, so the cache cannot be changed through it. */
  function compiledOf(doc: RunbookVersionDoc): CompiledRunbook {
    let compiled = cache.get(doc._id);
    if (compiled === undefined) {
      compiled = JSON.parse(doc.compiled_json) as CompiledRunbook;
      cache.set(doc._id, compiled);
    }
    return structuredClone(compiled);
  }

  function detail(doc: RunbookVersionDoc): VersionDetail {
    return { ...toVersionSummary(doc), source: JSON.parse(doc.definition_json) as RunbookSource, compiled: compiledOf(doc) };
  }

  return {
    latestDoc,
    syncLatest,
    versionDoc,
    compiledOf,
    detail,

    async compiledVersion(runbook: Pick<RunbookDoc, '_id' | 'latest_version'>, number: number): Promise<CompiledRunbook> {
      const cached = cache.get(versionDocId(runbook._id, number));
      return cached === undefined ? compiledOf(await versionDoc(runbook, number)) : structuredClone(cached);
    },

    async summaries(runbookId: string): Promise<VersionSummary[]> {
      // The JSON bodies can be large; history needs only who, when and why.
      const docs = await Versions.find({ runbook_id: runbookId }, { definition_json: 0, compiled_json: 0 })
        .sort({ number: 1 })
        .lean<Omit<RunbookVersionDoc, 'definition_json' | 'compiled_json'>[]>()
        .exec();
      return docs.map(toVersionSummary);
    },

    /**
     * Appends the next version. `build` sees the latest version and returns the new one, or
     * null when there is nothing to add. Two writers that read the same latest collide on the
     * version's _id (11000); the loser re-reads and builds again on top of the winner's.
     */
    async append(
      runbook: RunbookDoc,
      author: Actor,
      build: (latest: RunbookVersionDoc) => VersionDraft | null,
    ): Promise<{ doc: RunbookVersionDoc; appended: boolean }> {
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
        const latest = await latestDoc(runbook._id);
        const draft = build(latest);
        if (draft === null) return { doc: latest, appended: false };
        const doc = buildVersionDoc(runbook._id, latest.number + 1, draft, author, ctx.now());
        try {
          await Versions.create(doc);
        } catch (e) {
          if (isDuplicateKeyError(e)) continue;
          throw e;
        }
        await syncLatest(runbook._id);
        return { doc, appended: true };
      }
      throw new AppError(ErrorCode.Conflict, `runbook ${runbook._id} is being changed by others; try again`);
    },
  };

  /**
   * Brings the runbook document's copy of its latest version (number, name, description,
   * tags...) up to the newest version stored. Every writer of a runbook document calls this
   * after its write, and the check is repeated until it holds, because on FerretDB a
   * conditional update is not atomic: it reads, filters and writes back the whole document,
   * so two concurrent updates both "match" and the slower one can put an older number back.
   * On MongoDB the first pass settles it. The versions collection stays the source of truth.
   */
  async function syncLatest(runbookId: string): Promise<void> {
    for (let pass = 0; pass < MAX_APPEND_ATTEMPTS; pass++) {
      const latest = await latestDoc(runbookId);
      const current = await Runbooks.findById(runbookId, { latest_version: 1 }).lean<Pick<RunbookDoc, 'latest_version'>>().exec();
      if (current === null || current.latest_version >= latest.number) return;
      const compiled = compiledOf(latest);
      await Runbooks.updateOne(
        { _id: runbookId, latest_version: { $lt: latest.number } },
        {
          $set: {
            latest_version: latest.number,
            name: compiled.name,
            audience: compiled.audience,
            category: compiled.category,
            tags: compiled.tags,
            description: compiled.description,
            updated_at: latest.created_at,
          },
        },
      ).exec();
    }
  }
}
