// Runs as every surface drives them (REST, MCP; Slack's start rules too): who may start or
// move a run, which runbook version, which device, and idempotency. Surfaces parse, call one
// of these and render; the engine shell (run-service.ts) loads, transitions and saves.
import { currentStep, type Command, type JsonValue, type Run, type RunStatus } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import { derivedId } from '../ids.js';
import type { PermissionStore } from '../models/permission-store.js';
import type { RunPage, RunStore } from '../models/run-store.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { requireScope, type Principal } from './principal.js';
import type { RunService } from './run-service.js';
import { requireStartPermissions } from './start-permissions.js';

export interface RunsDeps {
  runs: RunService;
  store: Pick<RunStore, 'page'>;
  runbooks: Pick<RunbookStore, 'snapshotForRun'>;
  permissions: Pick<PermissionStore, 'missing' | 'groupsCovering'>;
  /** Posts the run's live Slack message in a channel; absent while Slack is off. */
  publish?: (run: Run, channel: string) => Promise<{ channel: string; ts: string }>;
}

export interface StartRequest {
  runbookId: string;
  variables?: Record<string, string>;
  /** A Slack channel that gets the run's live message. */
  channel?: string;
  /** The caller's idempotency key: the same key starts one run. */
  key?: string;
}

export interface Started {
  run: Run;
  duplicate: boolean;
  slack: { channel: string; ts: string } | { channel: string; error: string } | null;
}

/** What a step command says besides its type. */
export interface StepInput {
  outcome?: string;
  notes?: string;
  output?: JsonValue;
}

export type StepCommand = 'advance' | 'skip' | 'fail' | 'approve' | 'reject';
export type StatusTarget = 'running' | 'paused' | 'cancelled';

export interface ListRequest {
  status?: RunStatus[];
  runbookId?: string;
  startedAfter?: number;
  limit: number;
  cursor?: string;
}

export type Runs = ReturnType<typeof createRuns>;

export function createRuns(deps: RunsDeps) {
  const { runs } = deps;
  /** Keys are per caller: two agents may both send `Idempotency-Key: 1`. */
  const scopedKey = (who: Principal, key: string | undefined) => (key === undefined ? {} : { key: `api:${who.actor.id}:${key}` });

  /**
   * An API key approves only where a runbook names it (`apikey:NAME` in approvers), and never
   * on a run it drives: the agent that moves a run on cannot also be its human check.
   */
  async function requireApprover(who: Principal, runId: string): Promise<void> {
    if (who.scopes === null) return;
    const run = await runs.get(runId);
    const current = currentStep(run);
    if (!current) throw new AppError(ErrorCode.Conflict, `run ${runId} has no current step to approve`);
    if (!current.def.approvers.includes(who.actor.id)) {
      throw new AppError(
        ErrorCode.Forbidden,
        `API key "${who.actor.name ?? who.actor.id}" is not an approver of step "${current.def.label}": the runbook must name ${who.actor.id} in its approvers`,
      );
    }
    const drivers = new Set([run.started_by.id, ...run.steps.flatMap((s) => (s.actor ? [s.actor.id] : []))]);
    if (drivers.has(who.actor.id)) {
      throw new AppError(ErrorCode.Forbidden, `API key "${who.actor.name ?? who.actor.id}" drives run ${runId} and so cannot approve its gates`);
    }
  }

  /** An awaiting_approval refusal also says who may decide, so an agent can tell a person. */
  async function withApprovers(error: unknown, runId: string): Promise<unknown> {
    if (!(error instanceof AppError) || error.code !== ErrorCode.AwaitingApproval) return error;
    const approvers = currentStep(await runs.get(runId))?.def.approvers ?? [];
    return new AppError(error.code, error.message, { details: { ...error.details, approvers }, cause: error });
  }

  return {
    async start(who: Principal, request: StartRequest): Promise<Started> {
      requireScope(who, 'run');
      if (request.channel !== undefined && !deps.publish) {
        throw new AppError(ErrorCode.Validation, 'channel: Slack is not configured on this server, so no channel can get the run message');
      }
      const snapshot = await deps.runbooks.snapshotForRun(request.runbookId, {});
      await requireStartPermissions(snapshot, who.actor, { permissions: deps.permissions });
      const { run, duplicate } = await runs.startOnce({
        runbook: snapshot,
        variables: request.variables ?? {},
        actor: who.actor,
        trigger: { source: 'api', context: request.channel ? { slack_channel: request.channel } : {} },
        driver: who.scopes === null ? 'person' : 'agent',
        ...scopedKey(who, request.key),
        ...(request.key === undefined ? {} : { id: derivedId('run', `${who.actor.id}\u0000${request.key}`) }),
      });
      let slack: Started['slack'] = null;
      if (request.channel !== undefined && deps.publish && !duplicate) {
        slack = await deps.publish(run, request.channel).catch((error: unknown) => ({
          channel: request.channel as string,
          error: error instanceof Error ? error.message : String(error),
        }));
      }
      return { run, duplicate, slack };
    },

    async step(who: Principal, runId: string, type: StepCommand, input: StepInput, key?: string): Promise<Run> {
      if (type === 'approve' || type === 'reject') {
        requireScope(who, 'approve');
        await requireApprover(who, runId);
      } else {
        requireScope(who, 'run');
      }
      const command = { type, actor: who.actor, source: who.scopes === null ? 'person' : 'api', ...scopedKey(who, key), ...input } as Command;
      try {
        return (await runs.apply(runId, command)).run;
      } catch (error) {
        throw await withApprovers(error, runId);
      }
    },

    /** 002's `PUT /runs/:id {status}`: pause, resume, retry a failed run, or cancel. */
    async setStatus(who: Principal, runId: string, status: StatusTarget, key?: string): Promise<Run> {
      requireScope(who, 'run');
      const run = await runs.get(runId);
      const type = commandForStatus(run, status);
      return (await runs.apply(runId, { type, actor: who.actor, source: 'api', ...scopedKey(who, key) } as Command)).run;
    },

    async get(who: Principal, runId: string): Promise<Run> {
      requireScope(who, 'read');
      return runs.get(runId);
    },

    async list(who: Principal, request: ListRequest): Promise<RunPage> {
      requireScope(who, 'read');
      return deps.store.page(request);
    },
  };
}

function commandForStatus(run: Run, status: StatusTarget): 'pause' | 'resume' | 'retry' | 'cancel' {
  if (status === 'paused') return 'pause';
  if (status === 'cancelled') return 'cancel';
  if (run.status === 'paused') return 'resume';
  if (run.status === 'failed') return 'retry';
  throw new AppError(ErrorCode.Conflict, `cannot set run ${run.id} to running: it is ${run.status} (running is reached from paused or failed)`, {
    details: { run_id: run.id, status: run.status },
  });
}
