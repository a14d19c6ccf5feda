// Built-in runbooks (the playbooks shipped in playbooks/, DESIGN §3 and reference 001): global,
// published, and read-only to every user-facing change. Their one writer is syncBuiltin,
// which keeps each in step with its shipped file. A built-in is known by its key (the file's
// name, kept as the runbook's slug), so a rename in a later release updates the same runbook.
import type { RunbookSource } from '../engine/definition/index.js';
import type { Actor, Scope } from '../engine/types.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import type { RunbookCreator } from './runbook-create.js';
import type { RunbookDoc } from './runbook-model.js';
import { nameKey, recordAudit, scopeKey, type StoreContext } from './runbook-records.js';
import type { RunbookVersionDoc } from './runbook-version-model.js';
import type { VersionDraft, VersionOps } from './runbook-versions.js';

export interface BuiltinInput {
  /** Stable identity and slug, e.g. `disk-cleanup`. */
  key: string;
  source: RunbookSource;
  author: Actor;
  /** Notes of the first version and of later ones. */
  note: { created: string; updated: string };
}

export interface BuiltinSynced {
  doc: RunbookDoc;
  /** The new version, or the latest one when nothing changed. */
  version: RunbookVersionDoc;
  created: boolean;
  changed: boolean;
}

export interface BuiltinDeps {
  ctx: StoreContext;
  versions: VersionOps;
  creator: RunbookCreator;
  /** The first version of `source`. */
  firstDraft(source: RunbookSource, note: string): VersionDraft;
  /** Builds the version to append on top of `latest`, or null when it has `source`'s content. */
  nextDraft(source: RunbookSource, note: string): (latest: RunbookVersionDoc) => VersionDraft | null;
}

const GLOBAL: Scope = { type: 'global' };
const MAX_ATTEMPTS = 5;

export function readOnlyError(doc: Pick<RunbookDoc, '_id' | 'name'>): AppError {
  return new AppError(
    ErrorCode.Forbidden,
    `runbook "${doc.name}" is a built-in playbook and is read-only: to change it, export it and import the copy under another name`,
    { details: { runbook_id: doc._id, builtin: true } },
  );
}

/** Refuses a user's change to a built-in. */
export function assertEditable(doc: Pick<RunbookDoc, '_id' | 'name' | 'builtin'>): void {
  if (doc.builtin) throw readOnlyError(doc);
}

export function createBuiltinSync({ ctx, versions, creator, firstDraft, nextDraft }: BuiltinDeps) {
  const { Runbooks } = ctx;
  const scope_key = scopeKey(GLOBAL);

  // Another runbook holds the name or the slug: a user's runbook is never taken over.
  const taken = (input: BuiltinInput, what: string) =>
    new AppError(ErrorCode.Conflict, `built-in playbook "${input.source.name}" (${input.key}) not installed: ${what}`, {
      details: { key: input.key },
    });

  async function create(input: BuiltinInput): Promise<BuiltinSynced | null> {
    const holder = await Runbooks.findOne({ scope_key, name_key: nameKey(input.source.name) }).lean<RunbookDoc>().exec();
    if (holder !== null) {
      if (holder.builtin && holder.slug === input.key) return null; // created since we looked: update it
      throw taken(input, `a global runbook that is not built in (${holder._id}) already has that name`);
    }
    const { source, author } = input;
    const draft = firstDraft(source, input.note.created);
    const made = await creator.create({ scope: GLOBAL, author, draft, builtin: true, slug: input.key });
    if (made === null) return null; // another process was first: update theirs
    await recordAudit(ctx, { action: 'created', runbook_id: made.runbook._id, actor: author, version: 1, note: draft.note });
    return { doc: made.runbook, version: made.version, created: true, changed: true };
  }

  // A new name must be free in the global scope; the version appended next carries it.
  async function rename(doc: RunbookDoc, input: BuiltinInput): Promise<void> {
    try {
      await Runbooks.updateOne({ _id: doc._id }, { $set: { name_key: nameKey(input.source.name) } }).exec();
    } catch (e) {
      if (isDuplicateKeyError(e)) throw taken(input, 'another global runbook already has the new name');
      throw e;
    }
  }

  /** Creates the built-in or appends the file's content as a new version; unchanged content adds nothing. */
  return async function syncBuiltin(input: BuiltinInput): Promise<BuiltinSynced> {
    if (input.source.scope !== undefined && input.source.scope !== 'global') {
      throw new AppError(ErrorCode.Validation, `built-in playbook "${input.source.name}" must have scope global`);
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await Runbooks.findOne({ scope_key, slug: input.key }).lean<RunbookDoc>().exec();
      if (doc === null) {
        const made = await create(input);
        if (made !== null) return made;
        continue;
      }
      if (!doc.builtin) throw taken(input, `the global runbook "${doc.name}" already has the slug ${input.key}`);
      if (doc.name_key !== nameKey(input.source.name)) await rename(doc, input);
      const { doc: version, appended } = await versions.append(doc, input.author, nextDraft(input.source, input.note.updated));
      if (appended) await recordAudit(ctx, { action: 'updated', runbook_id: doc._id, actor: input.author, version: version.number, note: version.note });
      return { doc, version, created: false, changed: appended };
    }
    throw new AppError(ErrorCode.Conflict, `built-in playbook "${input.source.name}" is being changed by others; try again`);
  };
}
