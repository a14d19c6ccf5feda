import { resolveDevice, startRun, transition, type Actor, type AuditEntry, type Command, type Effect, type JsonObject, type Run, type RunbookSnapshot, type RunDriver, type TriggerSource } from '../engine/index.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { newId } from '../ids.js';
import { createKeyedMutex } from '../keyed-mutex.js';
import { createLru } from '../lru.js';
import { silentLogger, type Logger } from '../logger.js';
import { commandResultOf, noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import type { DeviceStore } from '../models/device-store.js';
import type { RunListFilter, RunStore, RunSummary } from '../models/run-store.js';
import { requireDevice } from './device-check.js';
import { performEffects, type EffectHandlers } from './effect-handlers.js';
import { finishedSteps } from './finished-steps.js';

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
  /** Every command's result and every finished step are counted here. */
  metrics?: Pick<MetricsRecorder, 'command' | 'stepFinished'>;
}

/** Who sends a command and what must hold first: every surface's command passes here, and is counted once. */
export interface CommandOrigin {
  /** slack, api, mcp, alerts, cli...; default: the actor's kind (system for timers and tool results). */
  surface?: string;
  /** The surface's checks (roles, approvers, the device): a refusal here is counted like the engine's. */
  authorize?: () => Promise<void>;
}

export interface StartInput {
  /** A name, slug or id to look up, or the published snapshot the caller already holds. */
  runbook: string | RunbookSnapshot;
  company?: string;
  variables?: Record<string, string>;
  /** The device tool steps act on; a `deviceId` among `variables` says the same (resolveDevice). */
  device?: string;
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
  const perRun = createKeyedMutex();
  const metrics = deps.metrics ?? noMetrics;

  /** Runs one command and counts how it ended, refusals and failures included. */
  async function counted(surface: string, command: string, work: () => Promise<ApplyResult>): Promise<ApplyResult> {
    try {
      const result = await work();
      metrics.command(surface, command, result.duplicate ? 'duplicate' : 'applied');
      return result;
    } catch (error) {
      metrics.command(surface, command, commandResultOf(error));
      throw error;
    }
  }

  function observeSteps(before: Run | null, after: Run): void {
    for (const step of finishedSteps(before, after)) metrics.stepFinished(step.type, step.outcome, step.duration_ms / 1000);
  }

  async function appliedEarlier(run: Run, command: Command): Promise<boolean> {
    const key = command.key;
    return key !== undefined && run.keys_evicted && !run.applied_keys.includes(key) && (await deps.runs.keyApplied(run.id, key));
  }

  // The state this process last wrote per run. Commands for a run are serialised here, so
  // it is current unless another process wrote; then the commit loses (that seq's event
  // exists) and the run is re-read. A refusal is never given on cached state alone.
  const recent = createLru<Run>(1_000);
  const remember = (run: Run) => recent.set(run.id, run);
  // Commits whose outcome is unknown (the store did not answer), by run: what they would have done.
  const unsettled = new Map<string, { entry: AuditEntry; run: Run; effects: Effect[] }>();

  /** Whether the trail's entry at `entry.seq` is this one (it landed after all). */
  async function landed(runId: string, entry: AuditEntry): Promise<boolean> {
    const stored = (await deps.runs.audit(runId)).find((e) => e.seq === entry.seq);
    return stored !== undefined && stored.at === entry.at && stored.command === entry.command && stored.actor.id === entry.actor.id;
  }

  /**
   * For each commit whose outcome was unknown: reads the run (which catches its document up
   * with its events), performs the commit's effects if its event landed after all, and
   * renders the run either way. A run whose store still does not answer stays for the next call.
   */
  async function settle(): Promise<{ settled: number; landed: number }> {
    const report = { settled: 0, landed: 0 };
    for (const [runId, pending] of [...unsettled]) {
      try {
        const run = await deps.runs.load(runId);
        if (await landed(runId, pending.entry)) {
          report.landed += 1;
          await performEffects(handlers, pending.effects, pending.run, logger);
        }
        await performEffects(handlers, [{ type: 'render', run_id: runId }], run, logger);
        unsettled.delete(runId);
        report.settled += 1;
      } catch (error) {
        logger.debug('run not settled yet', { run_id: runId, error });
      }
    }
    if (report.settled > 0) logger.info('settled commands whose outcome was unknown', { ...report });
    return report;
  }

  async function applyNow(runId: string, command: Command): Promise<ApplyResult> {
    let pinned: Command | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const cached = recent.get(runId);
      const run = cached ?? (await deps.runs.load(runId));
      pinned ??= pin(command, run);
      if (await appliedEarlier(run, pinned)) return { run, duplicate: true };
      const result = transition(run, pinned, { now: clock() });
      if (!result.ok || result.duplicate) {
        if (cached) {
          // Another instance may have moved the run since this copy: aim the command again at
          // the step it is really on, as one instance alone would have.
          recent.delete(runId);
          pinned = null;
          attempt -= 1;
          continue;
        }
        if (!result.ok) throw new AppError(result.error.code, result.error.message, { details: { run_id: runId, status: run.status } });
        return { run, duplicate: true };
      }
      const saved = await deps.runs.commit(run, result.run, result.audit).catch((error: unknown) => {
        // The store stopped answering mid-write: the event may still land. settle() finds out
        // once it answers again and then performs what this commit would have.
        recent.delete(runId);
        unsettled.set(runId, { entry: result.audit, run: result.run, effects: result.effects });
        throw error;
      });
      if (saved.committed) {
        if (saved.documentError) logger.warn('run document behind its events; the next read catches it up', { run_id: runId, error: saved.documentError });
        remember(result.run);
        observeSteps(run, result.run);
        await performEffects(handlers, result.effects, result.run, logger);
        return { run: result.run, duplicate: false };
      }
      recent.delete(runId);
      // A pin taken from this process's copy is only as current as the copy; one taken from a
      // fresh read holds, so a command racing another is refused rather than moved on.
      if (cached) pinned = null;
      logger.debug('lost a write race to another process; re-reading', { run_id: runId, attempt });
    }
    throw new AppError(ErrorCode.Conflict, `run ${runId} kept changing under this command (${maxAttempts} tries); try again`);
  }

  async function startNow(input: StartInput): Promise<ApplyResult> {
    const snapshot = typeof input.runbook === 'string' ? await deps.runbooks.snapshotForRun(input.runbook, { company: input.company }) : input.runbook;
    const variables = input.variables ?? {};
    // The device before the variables: a run with nowhere to run is refused as that, whatever else is missing.
    const device = resolveDevice(snapshot, variables, input.device);
    if (!device.ok) throw new AppError(ErrorCode.Validation, device.problems.join('; '));
    if (deps.devices) await requireDevice(snapshot, device.device, deps.devices);
    const result = startRun(
      {
        id: input.id ?? ids('run'),
        runbook: snapshot,
        variables,
        ...(input.device === undefined ? {} : { device: input.device }),
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
      await deps.runs.insert(result.run, entries);
      remember(result.run);
    } catch (error) {
      if (input.id === undefined || !isDuplicateKeyError(error)) throw error;
      return { run: await deps.runs.load(input.id), duplicate: true };
    }
    observeSteps(null, result.run);
    await performEffects(handlers, result.effects, result.run, logger);
    return { run: result.run, duplicate: false };
  }

  /**
   * start, saying whether the run had been started before under the same id. `input` may be
   * prepared by the caller's checks (which runbook, who may start it): a refusal there is
   * counted as the start's.
   */
  function startOnce(input: StartInput | (() => Promise<StartInput>), origin: Pick<CommandOrigin, 'surface'> = {}): Promise<ApplyResult> {
    const surface = origin.surface ?? (typeof input === 'function' ? 'unknown' : input.actor.kind);
    return counted(surface, 'start', async () => startNow(typeof input === 'function' ? await input() : input));
  }

  return {
    async start(input: StartInput, origin?: Pick<CommandOrigin, 'surface'>): Promise<Run> {
      return (await startOnce(input, origin)).run;
    },

    startOnce,

    /** Commands the store did not confirm, settled once it answers (see settle above); call it every few seconds. */
    settle,

    /** Applies one command; commands for the same run queue behind each other in this process. */
    apply(runId: string, command: Command, origin: CommandOrigin = {}): Promise<ApplyResult> {
      return counted(origin.surface ?? command.actor.kind, command.type, async () => {
        await origin.authorize?.();
        return perRun.run(runId, () => applyNow(runId, command));
      });
    },

    /** Every applied command on the run, in order. */
    audit(runId: string): Promise<AuditEntry[]> {
      return deps.runs.audit(runId);
    },

    get(runId: string): Promise<Run> {
      return deps.runs.load(runId);
    },

    async list(filter: RunListFilter): Promise<RunSummary[]> {
      return deps.runs.list(filter);
    },
  };
}
