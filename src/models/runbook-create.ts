// Creating a runbook document with its first version (for save and fork). Without
// transactions the order matters: the version goes in first, so a reader who sees the
// runbook always finds its version; a failed create leaves at most an orphan version that
// no runbook points at, and removes even that when it can.
import type { RunbookSource, StepSource } from '../engine/definition/index.js';
import { parseTarget } from '../engine/definition/index.js';
import type { Actor, CompiledRunbook, Scope } from '../engine/types.js';
import { isDuplicateKeyError } from '../errors.js';
import { newId } from '../ids.js';
import type { RunbookDoc } from './runbook-model.js';
import { nameKey, scopeKey, slugify, type StoreContext } from './runbook-records.js';
import { storedActor } from './runbook-subschemas.js';
import type { RunbookVersionDoc } from './runbook-version-model.js';
import { buildVersionDoc, type VersionDraft, type VersionOps } from './runbook-versions.js';

const MAX_SLUG_ATTEMPTS = 10;

export interface CreateInput {
  scope: Scope;
  author: Actor;
  draft: VersionDraft;
  forked_from?: { runbook_id: string; version: number };
  /** A built-in playbook (read-only to users); default false. */
  builtin?: boolean;
  /** This slug or nothing (null when taken); default: a free one made from the name. */
  slug?: string;
}

export type RunbookCreator = ReturnType<typeof createRunbookCreator>;

export function createRunbookCreator(ctx: StoreContext, versions: VersionOps) {
  const { Runbooks, Versions } = ctx;

  // "Deploy: prod" and "Deploy prod" share a slug; the second gets "deploy-prod-2".
  async function freeSlug(scope_key: string, base: string): Promise<string> {
    const docs = await Runbooks.find({ scope_key, slug: { $regex: `^${base}(-[0-9]+)?$` } }, { slug: 1 })
      .lean<Pick<RunbookDoc, 'slug'>[]>()
      .exec();
    const taken = new Set(docs.map((doc) => doc.slug));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  return {
    /** The new runbook (status draft) and its v1; null when the name (or the slug asked for) is taken in that scope. */
    async create(input: CreateInput): Promise<{ runbook: RunbookDoc; version: RunbookVersionDoc } | null> {
      const id = newId('rnb');
      const at = ctx.now();
      const version = buildVersionDoc(id, 1, input.draft, input.author, at);
      await Versions.create(version);
      const compiled: CompiledRunbook = versions.compiledOf(version);
      const scope_key = scopeKey(input.scope);
      const base: Omit<RunbookDoc, 'slug'> = {
        _id: id,
        name: compiled.name,
        name_key: nameKey(compiled.name),
        scope: input.scope,
        scope_key,
        status: 'draft',
        audience: compiled.audience,
        category: compiled.category,
        tags: compiled.tags,
        description: compiled.description,
        latest_version: 1,
        published_version: null,
        forked_from: input.forked_from ?? null,
        builtin: input.builtin ?? false,
        created_by: storedActor(input.author),
        created_at: at,
        updated_at: at,
      };
      try {
        for (let attempt = 0; attempt < MAX_SLUG_ATTEMPTS; attempt++) {
          const runbook: RunbookDoc = { ...base, slug: input.slug ?? (await freeSlug(scope_key, slugify(compiled.name))) };
          try {
            await Runbooks.create(runbook);
            return { runbook, version };
          } catch (e) {
            if (!isDuplicateKeyError(e)) throw e;
            // Either the name (give up: the caller decides) or only the slug (pick again) was
            // taken; a slug asked for is given up like a name.
            if (input.slug !== undefined || (await Runbooks.exists({ scope_key, name_key: base.name_key }))) {
              await Versions.deleteOne({ _id: version._id }).exec();
              return null;
            }
          }
        }
        throw new Error(`could not find a free slug for "${compiled.name}" in ${scope_key}`);
      } catch (e) {
        await Versions.deleteOne({ _id: version._id }).exec().catch(() => undefined);
        throw e;
      }
    },
  };
}

/**
 * The source with every step id (explicit `id` fields and id targets) replaced through
 * `ids`; `step:ref` targets are left alone. Used by fork, whose copy gets new step ids.
 */
export function remapStepIds(source: RunbookSource, ids: ReadonlyMap<string, string>): RunbookSource {
  const target = (value: string | null): string | null => {
    if (value === null || parseTarget(value)?.kind !== 'id') return value;
    return ids.get(value) ?? value;
  };
  const steps = source.steps.map((step): StepSource => {
    const out: StepSource = { ...step };
    if (step.id !== undefined) out.id = ids.get(step.id) ?? step.id;
    if (step.next_default !== undefined) out.next_default = target(step.next_default);
    if (step.next_on_outcome !== undefined) {
      out.next_on_outcome = Object.fromEntries(Object.entries(step.next_on_outcome).map(([outcome, to]) => [outcome, target(to)]));
    }
    return out;
  });
  return { ...source, steps };
}
