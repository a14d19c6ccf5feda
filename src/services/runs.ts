// Runs as every surface drives them (Slack, REST, MCP): who may start or move a run, which
// runbook version, which device, and idempotency. Surfaces parse, call one of these and
// render; the engine shell (run-service.ts) loads, transitions and saves.
import { currentStep, type Command, type JsonObject, type Run, type RunbookSnapshot, type RunStatus, type TriggerSource } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import { derivedId } from '../ids.js';
import type { DeviceStore } from '../models/device-store.js';
import type { PermissionStore } from '../models/permission-store.js';
import type { RunListFilter, RunPage, RunStore, RunSummary } from '../models/run-store.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { requireOnlineDevice } from './device-check.js';
import type { Access, RunbookRef } from './access.js';
import type { Principal } from './principal.js';
import type { ApplyResult, RunService, StartInput } from './run-service.js';
import { requireStartPermissions } from './permissions.js';

export interface RunsDeps {
  runs: RunService;
  store: Pick<RunStore, 'page'>;
  runbooks: Pick<RunbookStore, 'snapshotForRun'>;
  permissions: Pick<PermissionStore, 'missing' | 'groupsCovering'>;
  devices: Pick<DeviceStore, 'get'>;
  access: Pick<Access, 'require'>;
  /** Posts the run's live Slack message in a channel; absent while Slack is off. */
  publish?: (run: Run, channel: string) => Promise<{ channel: string; ts: string }>;
}

export interface StartRequest {
  /** An id, name or slug, or the published snapshot the caller already holds. */
  runbook: string | RunbookSnapshot;
  variables?: Record<string, string>;
  /**
   * The device tool steps act on, as an API body names it. Surfaces that take key=value
   * inputs (Slack's `device=`, the inputs form, an alert's host) may give it as a `deviceId`
   * variable instead; given both ways, they must agree.
   */
  device?: string;
  /** A Slack channel that gets the run's live message (API starts; Slack posts its own). */
  channel?: string;
  /** The caller's idempotency key: the same key starts one run. */
  key?: string;
  /** Default: `api` for API keys, `manual` for people. */
  trigger?: { source: TriggerSource; context: JsonObject };
}

export interface Started {
  run: Run;
  duplicate: boolean;
  slack: { channel: string; ts: string } | { channel: string; error: string } | null;
}

/** Commands people and agents send; the engine's own (start, waits, tool results) come from the shell. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RunCommand = DistributiveOmit<Exclude<Command, { type: 'start' | 'wait_elapsed' | 'tool_result' }>, 'actor'>;
export type StatusTarget = 'running' | 'paused' | 'cancelled';

export interface ListRequest {
  status?: RunStatus[];
  runbookId?: string;
  deviceId?: string;
  /** Only runs on a device. */
  onDevice?: boolean;
  startedAfter?: number;
  limit: number;
  cursor?: string;
}

export type Runs = ReturnType<typeof createRuns>;

export function createRuns(deps: RunsDeps) {
  const { runs, access } = deps;

  /** An API key's idempotency keys are its own: two agents may both send `Idempotency-Key: 1`. */
  const scopedKey = (who: Principal, key: string | undefined) =>
    key === undefined ? {} : { key: who.scopes === null ? key : `api:${who.actor.id}:${key}` };

  /** What the run service starts for a request, once the runbook is known and the caller may start it. */
  function startInput(who: Principal, request: StartRequest, snapshot: RunbookSnapshot): StartInput {
    const agent = who.scopes !== null;
    return {
      runbook: snapshot,
      variables: request.variables ?? {},
      ...(request.device === undefined ? {} : { device: request.device }),
      actor: who.actor,
      trigger: request.trigger ?? { source: agent ? 'api' : 'manual', context: request.channel ? { slack_channel: request.channel } : {} },
      driver: agent ? 'agent' : 'person',
      ...scopedKey(who, request.key),
      ...(request.key === undefined ? {} : { id: derivedId('run', `${who.actor.id}\u0000${request.key}`) }),
    };
  }

  /**
   * An API key approves only where a runbook names it (`apikey:NAME` in approvers), and never
   * on a run it drives: the agent that moves a run on cannot also be its human check.
   */
  async function requireApprover(who: Principal, run: Run): Promise<void> {
    if (who.scopes === null) return;
    const current = currentStep(run);
    if (!current) throw new AppError(ErrorCode.Conflict, `run ${run.id} has no current step to approve`);
    const name = who.actor.name ?? who.actor.id;
    if (!current.def.approvers.includes(who.actor.id)) {
      throw new AppError(ErrorCode.Forbidden, `API key "${name}" is not an approver of step "${current.def.label}": the runbook must name ${who.actor.id} in its approvers`);
    }
    const drivers = new Set([run.started_by.id, ...run.steps.flatMap((s) => (s.actor ? [s.actor.id] : []))]);
    if (drivers.has(who.actor.id)) throw new AppError(ErrorCode.Forbidden, `API key "${name}" drives run ${run.id} and so cannot approve its gates`);
  }

  /** An awaiting_approval refusal also says who may decide, so an agent can tell a person. */
  async function withApprovers(error: unknown, runId: string): Promise<unknown> {
    if (!(error instanceof AppError) || error.code !== ErrorCode.AwaitingApproval) return error;
    const approvers = currentStep(await runs.get(runId))?.def.approvers ?? [];
    return new AppError(error.code, error.message, { details: { ...error.details, approvers }, cause: error });
  }

  async function startable(who: Principal, runbook: string | RunbookSnapshot, groupsOf?: GroupsOf): Promise<RunbookSnapshot> {
    const snapshot = typeof runbook === 'string' ? await deps.runbooks.snapshotForRun(runbook, {}) : runbook;
    await access.require(who, 'run', { runbook: { id: snapshot.runbook_id, name: snapshot.name } });
    // Every starter holds the runbook's permissions, the identity alerts auto-run as included.
    await requireStartPermissions(snapshot, who.actor, { permissions: deps.permissions, ...(groupsOf ? { groupsOf } : {}) });
    return snapshot;
  }

  async function get(who: Principal, runId: string): Promise<Run> {
    const run = await runs.get(runId);
    await access.require(who, 'read', { runbook: runbookOf(run), run_id: runId });
    return run;
  }

  /** One command from a person or an agent, checked against who may send it. */
  async function command(who: Principal, runId: string, command: RunCommand): Promise<ApplyResult> {
    const deciding = command.type === 'approve' || command.type === 'reject';
    let loaded: Promise<Run> | undefined;
    const run = () => (loaded ??= runs.get(runId));
    const authorize = async () => {
      await access.require(who, deciding ? 'approve' : 'run', { runbook: async () => runbookOf(await run()), run_id: runId });
      if (deciding && who.scopes !== null) await requireApprover(who, await run());
      if (command.type === 'run_tool') await requireOnlineDevice((await run()).device_id ?? '', deps.devices);
    };
    const full = { ...command, actor: who.actor, ...scopedKey(who, command.key) } as Command;
    try {
      return await runs.apply(runId, full, { surface: surfaceOf(who), authorize });
    } catch (error) {
      throw await withApprovers(error, runId);
    }
  }

  return {
    get,
    command,

    /** The run, once the caller may send it commands: Slack asks before it opens the fail-reason modal. */
    async commandable(who: Principal, runId: string): Promise<Run> {
      const run = await runs.get(runId);
      await access.require(who, 'run', { runbook: runbookOf(run), run_id: runId });
      return run;
    },

    /**
     * The runbook a start would run, once the caller may start it: Slack asks before it opens
     * the inputs form, so nobody fills one in only to be refused.
     */
    startable,

    async start(who: Principal, request: StartRequest, groupsOf?: GroupsOf): Promise<Started> {
      const { run, duplicate } = await runs.startOnce(async () => {
        if (request.channel !== undefined && !deps.publish) {
          throw new AppError(ErrorCode.Validation, 'channel: Slack is not configured on this server, so no channel can get the run message');
        }
        return startInput(who, request, await startable(who, request.runbook, groupsOf));
      }, { surface: surfaceOf(who) });
      let slack: Started['slack'] = null;
      if (request.channel !== undefined && deps.publish && !duplicate) {
        const channel = request.channel;
        slack = await deps.publish(run, channel).catch((error: unknown) => ({ channel, error: error instanceof Error ? error.message : String(error) }));
      }
      return { run, duplicate, slack };
    },

    /** Reference 002's `PUT /runs/:id {status}`: pause, resume, retry a failed run, or cancel. */
    async setStatus(who: Principal, runId: string, status: StatusTarget, key?: string): Promise<Run> {
      const run = await get(who, runId);
      return (await command(who, runId, { type: commandForStatus(run, status), source: 'api', ...(key === undefined ? {} : { key }) } as RunCommand)).run;
    },

    async page(who: Principal, request: ListRequest): Promise<RunPage> {
      await access.require(who, 'read');
      return deps.store.page(request);
    },

    async list(who: Principal, filter: RunListFilter): Promise<RunSummary[]> {
      await access.require(who, 'read');
      return runs.list(filter);
    },
  };
}

/** The surface a command is counted under: the principal's, else its actor's kind. */
const surfaceOf = (who: Principal): string => who.surface ?? who.actor.kind;

const runbookOf = (run: Run): RunbookRef => ({ id: run.runbook.runbook_id, name: run.runbook.name });

/** Which of `candidates` (user groups holding a grant) the actor belongs to: Slack asks its API. */
export type GroupsOf = (actorId: string, candidates: string[]) => Promise<string[]>;

function commandForStatus(run: Run, status: StatusTarget): 'pause' | 'resume' | 'retry' | 'cancel' {
  if (status === 'paused') return 'pause';
  if (status === 'cancelled') return 'cancel';
  if (run.status === 'paused') return 'resume';
  if (run.status === 'failed') return 'retry';
  throw new AppError(ErrorCode.Conflict, `cannot set run ${run.id} to running: it is ${run.status} (running is reached from paused or failed)`, {
    details: { run_id: run.id, status: run.status },
  });
}
