import { isTerminal, startRun, transition, type Actor, type AuditEntry, type Command, type JsonObject, type Run, type RunbookSnapshot, type RunDriver, type TriggerSource } from '../engine/index.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { newId } from '../ids.js';
import { createKeyedMutex } from '../keyed-mutex.js';
import { createLru } from '../lru.js';
import { silentLogger, type Logger } from '../logger.js';
import type { DeviceStore } from '../models/device-store.js';
import type { RunListFilter, RunStore, RunSummary, StoredRun } from '../models/run-store.js';
import { requireDevice } from './device-check.js';
import { performEffects, type EffectHandlers } from './effect-handlers.js';

export interface RunbookLookup {
  snapshotForRun(nameOrId: string, opts: { company?: string }): Promise<RunbookSnapshot>;
}

export interface RunServiceDeps {
  runs: RunStore;
  runbooks: RunbookLookup;
  /** Where runs that run tools are refused when their device is unknown or offline. */
  devices?: Pick<DeviceStore, 'get'>;
  effects?: EffectHandlers;
  clock?: () => number;
  ids?: typeof newId;
  logger?: Logger;
  /** How many times a command is re-read and re-applied after losing a write race. */
  maxAttempts?: number;
  /** Audit entries collected in a run's outbox before they are copied to run_events. */
  auditBatch?: number;
}

export interface StartInput {
  /** A name, slug or id to look up, or the published snapshot the caller already holds. */
  runbook: string | RunbookSnapshot;
  company?: string;
  variables?: Record<string, string>;
  actor: Actor;
  trigger?: { source: TriggerSource; context?: JsonObject };
  key?: string;
  /** Who moves the run on: an agent advances past a gate once a person has decided it. */
  driver?: RunDriver;
  /**
   * The run's id, derived from an idempotency key: a second start with the same id finds
   * the first run (the insert collides on _id) instead of starting another.
   */
  id?: string;
}

export interface ApplyResult {
  run: Run;
  duplicate: boolean;
}

const STEP_COMMANDS = new Set<Command['type']>(['advance', 'skip', 'fail', 'approve', 'reject']);

/**
 * Aims a step command at the step it was given against. After a lost write race the
 * command is re-applied to fresh state; pinned, it is then refused as stale instead of
 * acting on whatever step the winner moved the run to.
 */
function pin(command: Command, run: Run): Command {
  if (!STEP_COMMANDS.has(command.type) || run.current_step_id === null) return command;
  const target = command as Command & { step_id?: string; visit?: number };
  const visit = run.steps.find((s) => s.step_id === run.current_step_id)?.visit;
  return { ...command, step_id: target.step_id ?? run.current_step_id, visit: target.visit ?? visit } as Command;
}

export type RunService = ReturnType<typeof createRunService>;

/** One service per aggregate: load, transition, conditional save, then perform effects. */
export function createRunService(deps: RunServiceDeps) {
  const clock = deps.clock ?? Date.now;
  const ids = deps.ids ?? newId;
  const logger = deps.logger ?? silentLogger;
  const handlers = deps.effects ?? {};
  const maxAttempts = deps.maxAttempts ?? 5;
  const auditBatch = deps.auditBatch ?? 8;
  const perRun = createKeyedMutex();
  // Highest audit seq this process knows is in run_events, per run; bounded, it is only a shortcut.
  const copied = createLru<number>(10_000);
  const uncopied = (runId: string, outbox: AuditEntry[]) => outbox.filter((e) => e.seq > (copied.get(runId) ?? 0));

  // Highest seq a copy has been asked for, per run: it only keeps the next commands from
  // asking again for entries a copy under way is writing. What a save may drop from the
  // outbox is decided by `copied` alone, which moves only once a copy is confirmed.
  const queuedUpTo = createLru<number>(10_000);
  const notYetQueued = (runId: string, outbox: AuditEntry[]) =>
    outbox.filter((e) => e.seq > Math.max(copied.get(runId) ?? 0, queuedUpTo.get(runId) ?? 0));
  // One copy at a time per run, in order, so `copied` never passes an entry a failed copy missed.
  const copyChains = new Map<string, Promise<void>>();

  function copyAudit(runId: string, entries: AuditEntry[]): Promise<void> {
    const last = entries.reduce((max, e) => Math.max(max, e.seq), 0);
    queuedUpTo.set(runId, Math.max(queuedUpTo.get(runId) ?? 0, last));
    const copy = (copyChains.get(runId) ?? Promise.resolve()).then(async () => {
      const pending = uncopied(runId, entries);
      if (pending.length === 0) return;
      try {
        await deps.runs.copyEvents(runId, pending);
      } catch (error) {
        queuedUpTo.delete(runId); // ask again with the next command
        throw error;
      }
      copied.set(runId, Math.max(copied.get(runId) ?? 0, last));
    });
    const settled = copy.catch(() => undefined);
    copyChains.set(runId, settled);
    void settled.then(() => {
      if (copyChains.get(runId) === settled) copyChains.delete(runId);
    });
    return copy;
  }

  /**
   * Entries wait in the run's outbox (written with each transition, read together with
   * run_events) and are copied in batches, and whenever a run finishes, so a command
   * costs one write, not two.
   */
  async function copyAuditWhenDue(run: Run, outbox: AuditEntry[]): Promise<void> {
    if (notYetQueued(run.id, outbox).length < auditBatch && !isTerminal(run.status) && run.status !== 'failed') return;
    // The entries are safe in the outbox; a later command copies them if this fails.
    await copyAudit(run.id, outbox).catch((error: unknown) => logger.warn('audit copy failed; will retry', { run_id: run.id, error }));
  }

  const copying = new Set<Promise<void>>();
  function track(copy: Promise<void>): void {
    copying.add(copy);
    void copy.finally(() => copying.delete(copy));
  }

  async function appliedEarlier(run: Run, command: Command): Promise<boolean> {
    const key = command.key;
    return key !== undefined && run.keys_evicted && !run.applied_keys.includes(key) && (await deps.runs.keyApplied(run.id, key));
  }

  // The state this process last wrote per run. Commands for a run are serialised here, so
  // it is current unless another process wrote; then the conditional save fails and the
  // run is re-read. A refusal is never given on cached state alone.
  const recent = createLru<StoredRun>(1_000);
  const remember = (stored: StoredRun) => recent.set(stored.run.id, stored);

  async function applyNow(runId: string, command: Command): Promise<ApplyResult> {
    let pinned: Command | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const cached = recent.get(runId);
      const { run, rev, outbox } = cached ?? (await deps.runs.load(runId));
      pinned ??= pin(command, run);
      if (await appliedEarlier(run, pinned)) return { run, duplicate: true };
      const result = transition(run, pinned, { now: clock() });
      if (!result.ok || result.duplicate) {
        if (cached) {
          recent.delete(runId);
          attempt -= 1;
          continue;
        }
        if (!result.ok) throw new AppError(result.error.code, result.error.message, { details: { run_id: runId, status: run.status } });
        return { run, duplicate: true };
      }
      const saved = await deps.runs.saveIfRev(result.run, rev, [...uncopied(runId, outbox), result.audit]);
      if (saved) {
        remember(saved);
        // Effects first: the entries are safe in the outbox, and a render should not wait for their copy.
        await performEffects(handlers, result.effects, result.run, logger);
        // Nor should the caller: the copy goes on after the answer (idle() waits for it).
        track(copyAuditWhenDue(result.run, saved.outbox));
        return { run: result.run, duplicate: false };
      }
      recent.delete(runId);
      logger.debug('lost a write race to another process; re-reading', { run_id: runId, attempt });
    }
    throw new AppError(ErrorCode.Conflict, `run ${runId} kept changing under this command (${maxAttempts} tries); try again`);
  }

  async function startOnce(input: StartInput): Promise<ApplyResult> {
    const snapshot = typeof input.runbook === 'string' ? await deps.runbooks.snapshotForRun(input.runbook, { company: input.company }) : input.runbook;
    if (deps.devices) await requireDevice(snapshot, input.variables ?? {}, deps.devices);
    const result = startRun(
      {
        id: input.id ?? ids('run'),
        runbook: snapshot,
        variables: input.variables ?? {},
        started_by: input.actor,
        ...(input.trigger ? { trigger: input.trigger } : {}),
        ...(input.driver ? { driver: input.driver } : {}),
      },
      { now: clock(), ids: () => ids('rrs') },
      input.key,
    );
    if (!result.ok) throw new AppError(result.error.code, result.error.message);
    const entries = result.audit ? [result.audit] : [];
    try {
      remember(await deps.runs.insert(result.run, entries));
    } catch (error) {
      if (input.id === undefined || !isDuplicateKeyError(error)) throw error;
      return { run: (await deps.runs.load(input.id)).run, duplicate: true };
    }
    await performEffects(handlers, result.effects, result.run, logger);
    return { run: result.run, duplicate: false };
  }

  return {
    async start(input: StartInput): Promise<Run> {
      return (await startOnce(input)).run;
    },

    /** start, saying whether the run had been started before under the same id. */
    startOnce,

    /** Applies one command; commands for the same run queue behind each other in this process. */
    apply(runId: string, command: Command): Promise<ApplyResult> {
      return perRun.run(runId, () => applyNow(runId, command));
    },

    /** Resolves once the audit copies under way have finished (before the store closes). */
    async idle(): Promise<void> {
      while (copying.size > 0) await Promise.all([...copying]);
    },

    /** Every applied command on the run, in order. */
    audit(runId: string): Promise<AuditEntry[]> {
      return deps.runs.audit(runId);
    },

    async get(runId: string): Promise<Run> {
      return (await deps.runs.load(runId)).run;
    },

    async list(filter: RunListFilter): Promise<RunSummary[]> {
      return deps.runs.list(filter);
    },
  };
}
