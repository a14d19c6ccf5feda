// The engine's data: plain, serialisable, tagged unions. Nothing here knows about
// Slack, MongoDB or Redis; the shell persists and transports these shapes as they are.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const STEP_TYPES = [
  'action',
  'check',
  'branch',
  'gate',
  'wait',
  'diagnose',
  'act',
  'verify',
  'rollback',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Step types that call a tool on a device instead of asking a person. */
export const TOOL_STEP_TYPES: readonly StepType[] = ['diagnose', 'act', 'verify', 'rollback'];

export const AUDIENCES = ['human', 'hybrid', 'agentic'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const ON_FAILURE = ['stop', 'continue', 'rollback'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

export const VERIFY_OPERATORS = ['lt', 'gt', 'eq', 'ne', 'contains'] as const;
export type VerifyOperator = (typeof VERIFY_OPERATORS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Scope = { type: 'global' } | { type: 'company'; company: string };

/**
 * The variable that names a run's device where a runbook declares it, or where a person or
 * an alert writes it among the variables (`device=web-01` in Slack is short for it).
 */
export const DEVICE_VARIABLE = 'deviceId';

export interface VariableDef {
  name: string;
  description: string;
  required: boolean;
  default: string | null;
}

export interface VerifyCondition {
  metric: string;
  operator: VerifyOperator;
  value: JsonValue;
  retry: { interval_seconds: number; timeout_seconds: number } | null;
}

export interface Trigger {
  alert_types: string[];
  device_tags: string[];
  min_severity: Severity | null;
  channels: string[];
  auto_execute: boolean;
}

/** A step after compilation: every reference resolved to a step id, every default filled. */
export interface CompiledStep {
  id: string;
  ref: string | null;
  position: number; // 1-based
  label: string;
  instruction: string;
  type: StepType;
  required: boolean;
  /** Step id, or null for "end of run". */
  next_default: string | null;
  /** outcome → step id, or null for "end of run". */
  next_on_outcome: Record<string, string | null> | null;
  approvers: string[];
  allow_self_approval: boolean;
  /** Distinct approvals a gate or hybrid `act` needs (1 by default). */
  approvals_required: number;
  /** How long the approvers have; null: no limit. */
  approval_timeout_seconds: number | null;
  /** What happens then (set with approval_timeout_seconds, `reject` by default). */
  on_timeout: 'reject' | 'fail' | 'escalate' | null;
  escalation_channel: string | null;
  wait_seconds: number | null;
  tool: string | null;
  tool_input: JsonObject | null;
  verify: VerifyCondition | null;
  on_failure: OnFailure;
  timeout_seconds: number | null;
  metadata: JsonObject | null;
}

/** The runnable form of one runbook version; a run keeps a copy of it. */
export interface CompiledRunbook {
  name: string;
  description: string;
  category: string | null;
  tags: string[];
  scope: Scope;
  audience: Audience;
  required_permissions: string[];
  variables: VariableDef[];
  trigger: Trigger | null;
  /** The run's deadline from its start; null (or absent in versions saved before it existed): none. */
  timeout_seconds: number | null;
  steps: CompiledStep[];
}

/** Which runbook version a run was started from, plus the steps it runs. */
export interface RunbookSnapshot extends CompiledRunbook {
  runbook_id: string;
  version: number;
}

export const RUN_STATUSES = [
  'pending',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'rolled_back',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'rolled_back', 'cancelled'];

export const STEP_STATUSES = ['pending', 'active', 'completed', 'skipped', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const ACTOR_KINDS = ['slack', 'api', 'agent', 'system', 'cli'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  kind: ActorKind;
  id: string;
  name?: string;
  /** Groups the actor belongs to, resolved by the caller (e.g. Slack user groups). */
  groups?: string[];
}

/**
 * Who moves a run on. A `person` run finishes a gate when someone approves or rejects it. An
 * `agent` run (reference 002) only records that decision on the gate; the agent then
 * advances, and the run moves on with the decided outcome.
 */
export const RUN_DRIVERS = ['person', 'agent'] as const;
export type RunDriver = (typeof RUN_DRIVERS)[number];

export const TRIGGER_SOURCES = ['manual', 'alert', 'ai', 'api'] as const;
export type TriggerSource = (typeof TRIGGER_SOURCES)[number];

/** Result of a tool call, as recorded on the step. */
export interface ToolResult {
  ok: boolean;
  output: JsonValue;
  error: string | null;
}

export interface RunStep {
  /** rrs_ id of this step within this run. */
  id: string;
  step_id: string;
  status: StepStatus;
  /** Run-wide visit number of the latest activation (0 = never visited). */
  visit: number;
  visits: number;
  outcome: string | null;
  notes: string | null;
  output: JsonValue;
  tool_input: JsonObject | null;
  tool_output: JsonValue;
  error: string | null;
  /** Tool calls made in this visit: a verify with retry calls its tool again after each wait. */
  tool_tries: number;
  /** A tool call is out and its result not in yet. */
  tool_running: boolean;
  /** hybrid `act`: an approver must confirm before the tool runs. */
  awaiting_approval: boolean;
  /** Half of the step's timeout has passed in this visit: the thread has been (or is being) told. */
  reminded: boolean;
  /** Approvals given in this visit, in order, while fewer than approvals_required. */
  approvals: Array<{ by: Actor; at: number }>;
  /** The approval timed out with on_timeout escalate: the escalation channel has been (or is being) told. */
  escalated: boolean;
  /** A tool result that arrived while the run was paused; applied on resume. */
  held_result: ToolResult | null;
  /**
   * A gate of an `agent` run: who approved or rejected it (the decision is `outcome`) while
   * it waits for the agent to advance. Null until decided, and again on each later visit.
   */
  decided_by: Actor | null;
  started_at: number | null;
  completed_at: number | null;
  duration_ms: number | null;
  actor: Actor | null;
}

/**
 * A deadline on a human step (its `timeout_seconds`, and a reminder at half that), kept on
 * the run so a reconciler can put its timer back; stale once the step's visit is over.
 */
export type PendingTimer =
  | { kind: 'step_timeout' | 'step_reminder' | 'approval_timeout'; step_id: string; visit: number; due_at: number }
  /** The runbook's own timeout_seconds, counted from the run's start. */
  | { kind: 'run_timeout'; step_id: null; visit: null; due_at: number };

/** Something due later: a wait step or the pause between two tries of a verify. */
export interface PendingWait {
  kind: 'wait' | 'retry';
  step_id: string;
  visit: number;
  due_at: number;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: Actor;
  source: string | null;
  command: CommandType;
  key: string | null;
  step_id: string | null;
  visit: number | null;
  outcome: string | null;
  notes: string | null;
  from_status: RunStatus;
  to_status: RunStatus;
}

export interface Run {
  id: string;
  runbook: RunbookSnapshot;
  status: RunStatus;
  variables: Record<string, string>;
  /**
   * The device the run's tool steps act on, a parameter of the run (reference 001's
   * execution deviceId), fixed at start; null when it names none. A runbook that declares a
   * `deviceId` variable has the same value in it.
   */
  device_id: string | null;
  started_by: Actor;
  /** Fixed when the run is created. */
  driver: RunDriver;
  trigger: { source: TriggerSource; context: JsonObject };
  steps: RunStep[];
  current_step_id: string | null;
  /** Total step activations so far; also the visit number of the latest one. */
  visit_count: number;
  wait: PendingWait | null;
  /** The current step's deadlines; empty once it finishes. */
  timers: PendingTimer[];
  /** Rollback step ids still to run, in order, while a rollback is under way. */
  rollback_queue: string[] | null;
  rollback_executed: boolean;
  error_message: string | null;
  /** Idempotency keys of the most recent keyed commands (a window; older ones are in the audit trail). */
  applied_keys: string[];
  /** True once keys have left the window: a key not found there may still be in the audit trail. */
  keys_evicted: boolean;
  /** Number of audit entries so far; the next entry's seq is this plus one. */
  audit_seq: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

export interface Progress {
  total_steps: number;
  completed: number;
  skipped: number;
  failed: number;
  remaining: number;
}

// ---- commands ----------------------------------------------------------------

interface CommandBase {
  actor: Actor;
  /** Idempotency key: the same key applied twice changes the run once. */
  key?: string;
  /** Where the command came from (e.g. `slack:C024BE91L`, `api`, `worker`). */
  source?: string;
}

/** Commands aimed at a step may pin it; a pinned command for a step no longer current is stale. */
interface StepTarget {
  step_id?: string;
  visit?: number;
}

export type Command =
  | ({ type: 'start' } & CommandBase)
  | ({ type: 'advance'; outcome?: string; notes?: string; output?: JsonValue } & CommandBase & StepTarget)
  | ({ type: 'skip'; notes?: string } & CommandBase & StepTarget)
  | ({ type: 'fail'; notes?: string; output?: JsonValue } & CommandBase & StepTarget)
  | ({ type: 'pause'; reason?: string } & CommandBase)
  | ({ type: 'resume' } & CommandBase)
  | ({ type: 'cancel'; reason?: string } & CommandBase)
  | ({ type: 'retry' } & CommandBase)
  | ({ type: 'approve'; notes?: string } & CommandBase & StepTarget)
  | ({ type: 'reject'; notes?: string } & CommandBase & StepTarget)
  | ({ type: 'wait_elapsed' } & CommandBase & Required<StepTarget>)
  /** A step's deadline came: its reminder, or its timeout (the step fails, its on_failure applies). */
  | ({ type: 'timer_fired'; kind: 'step_timeout' | 'step_reminder' | 'approval_timeout' } & CommandBase & Required<StepTarget>)
  | ({ type: 'timer_fired'; kind: 'run_timeout' } & CommandBase)
  /** A person asks for the tool of a step in a `human` runbook to be run; the result is shown, the person decides. */
  | ({ type: 'run_tool' } & CommandBase & StepTarget)
  | ({ type: 'tool_result'; ok: boolean; output?: JsonValue; error?: string; try?: number } & CommandBase & Required<StepTarget>);

export type CommandType = Command['type'];
export const COMMAND_TYPES: readonly CommandType[] = [
  'start',
  'advance',
  'skip',
  'fail',
  'pause',
  'resume',
  'cancel',
  'retry',
  'approve',
  'reject',
  'wait_elapsed',
  'timer_fired',
  'run_tool',
  'tool_result',
];

// ---- effects -----------------------------------------------------------------

export type Effect =
  | { type: 'scheduleWait'; run_id: string; wait: PendingWait }
  | { type: 'cancelWait'; run_id: string; wait: PendingWait }
  | { type: 'scheduleTimer'; run_id: string; timer: PendingTimer }
  | {
      type: 'runTool';
      run_id: string;
      step_id: string;
      visit: number;
      /** `act` and `rollback` change the machine: a runner never runs them twice. */
      step_type: StepType;
      /** Which call of this visit (1, 2... as a verify retries): one call id per try. */
      try: number;
      tool: string;
      input: JsonObject;
      timeout_seconds: number | null;
    }
  | { type: 'notifyApprovers'; run_id: string; step_id: string; visit: number; approvers: string[] }
  | { type: 'render'; run_id: string }
  | { type: 'runFinished'; run_id: string; status: RunStatus };

// ---- errors ------------------------------------------------------------------

/** `awaiting_approval`: an advance on a step whose approval is not in yet (a gate, a hybrid `act`). */
export const ENGINE_ERROR_CODES = ['conflict', 'validation', 'forbidden', 'not_found', 'awaiting_approval'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

export interface EngineError {
  code: EngineErrorCode;
  message: string;
}

export type TransitionResult =
  | { ok: true; run: Run; effects: Effect[]; duplicate: false; audit: AuditEntry }
  | { ok: true; run: Run; effects: []; duplicate: true; audit: null }
  | { ok: false; error: EngineError; run: Run };

export interface TransitionContext {
  now: number;
}

export interface StartContext extends TransitionContext {
  /** Supplies the `rrs_` id of each run step; the engine never makes ids itself. */
  ids: (prefix: 'rrs') => string;
}
