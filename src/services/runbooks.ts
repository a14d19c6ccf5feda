// Runbooks as agents and scripts author them (REST, MCP): who may create, edit, archive or
// delete, and what an edit means. Every edit is a new immutable version; a published runbook
// publishes it, so new runs take it while runs in flight stay pinned to theirs (where
// reference 002 refuses structural edits once runs exist).
import { formatProblem, parseDefinition, type RunbookSource, type StepSource } from '../engine/definition/index.js';
import { runsTools, type CompiledRunbook, type CompiledStep, type RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { RunStore } from '../models/run-store.js';
import type { RunbookDiff } from '../engine/runbook-diff.js';
import type { FindOptions, ListOptions, RunbookPage, RunbookRecord, RunbookStore, SaveResult, VersionDetail, VersionSummary } from '../models/runbook-store.js';
import type { Access, AccessTarget, RunbookRef } from './access.js';
import type { Principal } from './principal.js';

export interface RunbooksDeps {
  store: RunbookStore;
  access: Pick<Access, 'require'>;
  runs: Pick<RunStore, 'countActive' | 'deleteForRunbook'>;
}

/** A runbook with the steps of its latest version. */
export interface RunbookView {
  record: RunbookRecord;
  compiled: CompiledRunbook;
}

/**
 * A playbook (reference 001): a published runbook whose runs run tools on a device, with the
 * version a run starts from.
 */
export interface PlaybookView {
  record: RunbookRecord;
  snapshot: RunbookSnapshot;
}

/** The metadata `PUT /runbooks/:id` may change; steps change through the step endpoints. */
export type RunbookPatch = Partial<Pick<RunbookSource, 'name' | 'description' | 'category' | 'tags' | 'variables' | 'audience' | 'required_permissions' | 'trigger' | 'timeout_seconds'>>;

const refOf = (record: RunbookRecord): RunbookRef => ({ id: record.id, name: record.name });

export type Runbooks = ReturnType<typeof createRunbooks>;

export function createRunbooks(deps: RunbooksDeps) {
  const { store, access } = deps;

  /** A runbook named by id, name or slug, for a role held on it. */
  const on = (id: string): AccessTarget => ({ runbook: async () => refOf(await store.find(id)) });

  async function view(record: RunbookRecord): Promise<RunbookView> {
    return { record, compiled: await store.latestCompiled(record) };
  }

  /** Every edit makes a new version, and a published runbook publishes it: editing one is publishing. */
  async function revise(who: Principal, id: string, edit: (source: RunbookSource) => unknown, note: string): Promise<RunbookView> {
    const record = await store.get(id);
    await access.require(who, record.status === 'published' ? 'publish' : 'author', { runbook: refOf(record) });
    const saved = await store.revise(id, edit, who.actor, note);
    return { record: saved.runbook, compiled: saved.version.compiled };
  }

  function stepIndex(source: RunbookSource, stepId: string): number {
    const index = source.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw new AppError(ErrorCode.NotFound, `runbook has no step ${stepId}`, { details: { step_id: stepId } });
    return index;
  }

  const stepOf = (runbook: RunbookView, stepId: string): CompiledStep => {
    const step = runbook.compiled.steps.find((s) => s.id === stepId);
    if (!step) throw new AppError(ErrorCode.NotFound, `runbook ${runbook.record.id} has no step ${stepId}`);
    return step;
  };

  return {
    /** A new runbook, published unless `status: draft` (002's runbooks can run at once). */
    async create(who: Principal, definition: unknown, opts: { status?: 'draft' | 'published' } = {}): Promise<RunbookView> {
      await access.require(who, (opts.status ?? 'published') === 'published' ? 'publish' : 'author');
      const parsed = parseDefinition(definition);
      if (!parsed.ok) {
        throw new AppError(ErrorCode.Validation, parsed.problems.map(formatProblem).join('; '), { details: { problems: parsed.problems } });
      }
      const saved = await store.save({ source: parsed.source, author: who.actor, publish: (opts.status ?? 'published') === 'published', mustCreate: true });
      return { record: saved.runbook, compiled: saved.version.compiled };
    },

    async list(who: Principal, options: ListOptions): Promise<RunbookPage> {
      await access.require(who, 'read');
      return store.list(options);
    },

    async stepCounts(page: RunbookPage): Promise<Map<string, number>> {
      const counts = await Promise.all(page.items.map(async (r) => [r.id, (await store.latestCompiled(r)).steps.length] as const));
      return new Map(counts);
    },

    async get(who: Principal, id: string): Promise<RunbookView> {
      await access.require(who, 'read', on(id));
      return view(await store.get(id));
    },

    async update(who: Principal, id: string, patch: RunbookPatch): Promise<RunbookView> {
      return revise(who, id, (source) => ({ ...source, ...patch }), 'updated through the API');
    },

    async addStep(who: Principal, id: string, step: StepSource): Promise<{ runbook: RunbookView; step: CompiledStep }> {
      const runbook = await revise(who, id, (source) => ({ ...source, steps: [...source.steps, step] }), `added step "${step.label}"`);
      const added = runbook.compiled.steps.at(-1) as CompiledStep;
      return { runbook, step: added };
    },

    async updateStep(who: Principal, id: string, stepId: string, patch: Partial<StepSource>): Promise<CompiledStep> {
      const runbook = await revise(
        who,
        id,
        (source) => {
          const index = stepIndex(source, stepId);
          const steps = [...source.steps];
          steps[index] = { ...(steps[index] as StepSource), ...patch, id: stepId };
          return { ...source, steps };
        },
        `changed step ${stepId}`,
      );
      return stepOf(runbook, stepId);
    },

    async deleteStep(who: Principal, id: string, stepId: string): Promise<void> {
      await revise(
        who,
        id,
        (source) => {
          stepIndex(source, stepId);
          return { ...source, steps: source.steps.filter((s) => s.id !== stepId) };
        },
        `removed step ${stepId}`,
      );
    },

    async reorderSteps(who: Principal, id: string, stepIds: string[]): Promise<CompiledStep[]> {
      const runbook = await revise(
        who,
        id,
        (source) => {
          const known = source.steps.map((s) => s.id as string);
          const missing = known.filter((s) => !stepIds.includes(s));
          const unknown = stepIds.filter((s) => !known.includes(s));
          const repeated = stepIds.filter((s, i) => stepIds.indexOf(s) !== i);
          if (missing.length + unknown.length + repeated.length > 0) {
            const parts = [
              missing.length ? `missing ${missing.join(', ')}` : '',
              unknown.length ? `not in this runbook ${unknown.join(', ')}` : '',
              repeated.length ? `repeated ${repeated.join(', ')}` : '',
            ].filter(Boolean);
            const message = `must list every step of the runbook once (${parts.join('; ')})`;
            throw new AppError(ErrorCode.Validation, `step_ids: ${message}`, { details: { problems: [{ path: 'step_ids', message }] } });
          }
          return { ...source, steps: stepIds.map((sid) => source.steps[known.indexOf(sid)] as StepSource) };
        },
        'reordered steps',
      );
      return runbook.compiled.steps;
    },

    /** A definition already parsed (the CLI's import): a new runbook, or a new version of the one with its name. */
    async save(who: Principal, source: RunbookSource, opts: { note?: string | undefined; publish?: boolean | undefined } = {}): Promise<SaveResult> {
      await access.require(who, opts.publish === false ? 'author' : 'publish');
      return store.save({ source, author: who.actor, note: opts.note, publish: opts.publish });
    },

    /** By id, name (any case) or slug, among the global runbooks and the company's. */
    async find(who: Principal, nameOrId: string, opts: FindOptions = {}): Promise<RunbookRecord> {
      const record = await store.find(nameOrId, opts);
      await access.require(who, 'read', { runbook: refOf(record) });
      return record;
    },

    async versions(who: Principal, id: string): Promise<VersionSummary[]> {
      await access.require(who, 'read', on(id));
      return store.versions(id);
    },

    async version(who: Principal, id: string, number: number): Promise<VersionDetail> {
      await access.require(who, 'read', on(id));
      return store.version(id, number);
    },

    async diff(who: Principal, id: string, a: number, b: number): Promise<RunbookDiff> {
      await access.require(who, 'read', on(id));
      return store.diff(id, a, b);
    },

    /** A new version with the content of version `number`. */
    async rollback(who: Principal, id: string, number: number): Promise<VersionDetail> {
      await access.require(who, 'publish', on(id));
      return store.rollback(id, number, who.actor);
    },

    async toDraft(who: Principal, id: string): Promise<RunbookRecord> {
      await access.require(who, 'publish', on(id));
      return store.toDraft(id, who.actor);
    },

    async archive(who: Principal, id: string): Promise<RunbookRecord> {
      await access.require(who, 'publish', on(id));
      return store.archive(id, who.actor);
    },

    async publish(who: Principal, id: string): Promise<RunbookView> {
      await access.require(who, 'publish', on(id));
      return view(await store.publish(id, who.actor));
    },

    /** Deletes the runbook, its versions and its runs; refused while any run is unfinished. */
    async remove(who: Principal, id: string): Promise<void> {
      await access.require(who, 'admin', on(id));
      // An unknown id counts no runs, and remove() then answers not found.
      const active = await deps.runs.countActive(id);
      if (active > 0) {
        throw new AppError(ErrorCode.Conflict, `Runbook '${id}' cannot be deleted — it has ${active} active run(s). Archive it instead.`, {
          details: { runbook_id: id, active_runs: active },
        });
      }
      await store.remove(id);
      await deps.runs.deleteForRunbook(id);
    },

    /** The playbooks, optionally of one category, by name. */
    async playbooks(who: Principal, opts: { category?: string } = {}): Promise<PlaybookView[]> {
      await access.require(who, 'read');
      return (await store.published(opts)).filter((p) => runsTools(p.snapshot));
    },

    /**
     * A playbook by id, name or slug; not found when the runbook is not published or runs no
     * tools. `toRun`: the caller asks in order to start it, which its `run` scope covers.
     */
    async playbook(who: Principal, id: string, opts: { toRun?: boolean } = {}): Promise<PlaybookView> {
      const record = await store.find(id);
      await access.require(who, opts.toRun ? 'run' : 'read', { runbook: refOf(record) });
      if (record.status !== 'published') {
        throw new AppError(ErrorCode.NotFound, `runbook "${record.name}" is ${record.status}: only published runbooks are playbooks`, { details: { runbook_id: record.id } });
      }
      const snapshot = await store.snapshotForRun(record.id);
      if (!runsTools(snapshot)) {
        throw new AppError(ErrorCode.NotFound, `runbook "${record.name}" is no playbook: it runs no tools on a device`, { details: { runbook_id: record.id } });
      }
      return { record, snapshot };
    },

    /** A new draft from a runbook one may read. */
    async fork(who: Principal, id: string, input: { company?: string; name?: string }): Promise<RunbookView> {
      await access.require(who, 'author');
      await access.require(who, 'read', on(id));
      const scope = input.company ? { type: 'company' as const, company: input.company } : { type: 'global' as const };
      const saved = await store.fork(id, { scope, name: input.name, author: who.actor });
      return { record: saved.runbook, compiled: saved.version.compiled };
    },
  };
}
