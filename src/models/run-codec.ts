import {
  RUN_DRIVERS,
  type Actor,
  type AuditEntry,
  type JsonObject,
  type JsonValue,
  type PendingTimer,
  type Run,
  type RunbookSnapshot,
  type RunDriver,
  type RunStep,
} from '../engine/index.js';
import type { RunDoc, TimerDoc } from './run-model.js';

/** A stored deadline as the engine has it. */
export function timerFromDoc(t: TimerDoc): PendingTimer {
  const due_at = new Date(t.due_at).getTime();
  if (t.kind === 'run_timeout') return { kind: 'run_timeout', step_id: null, visit: null, due_at };
  return { kind: t.kind as 'step_timeout' | 'step_reminder' | 'approval_timeout', step_id: t.step_id ?? '', visit: t.visit ?? 0, due_at };
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const toMs = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);
const json = (value: unknown): string => JSON.stringify(value ?? null);

export function actorOf(raw: unknown): Actor {
  const a = raw as Actor;
  return { kind: a.kind, id: a.id, ...(a.name != null ? { name: a.name } : {}), ...(a.groups?.length ? { groups: [...a.groups] } : {}) };
}

function stepToDoc(step: RunStep): Record<string, unknown> {
  return {
    id: step.id,
    step_id: step.step_id,
    status: step.status,
    visit: step.visit,
    visits: step.visits,
    outcome: step.outcome,
    notes: step.notes,
    output_json: json(step.output),
    tool_input_json: json(step.tool_input),
    tool_output_json: json(step.tool_output),
    held_result_json: json(step.held_result),
    error: step.error,
    tool_tries: step.tool_tries,
    tool_running: step.tool_running,
    awaiting_approval: step.awaiting_approval,
    reminded: step.reminded,
    escalated: step.escalated,
    approvals: step.approvals.map((a) => ({ by: a.by, at: new Date(a.at) })),
    decided_by: step.decided_by,
    started_at: toDate(step.started_at),
    completed_at: toDate(step.completed_at),
    duration_ms: step.duration_ms,
    actor: step.actor,
  };
}

type StepDoc = Omit<RunStep, 'output' | 'tool_input' | 'tool_output' | 'held_result' | 'started_at' | 'completed_at' | 'approvals'> & {
  /** Absent on steps stored before N-of-M approvals. */
  approvals?: Array<{ by: Actor; at: Date }>;
  output_json?: string;
  tool_input_json?: string;
  tool_output_json?: string;
  held_result_json?: string;
  started_at: Date | null;
  completed_at: Date | null;
};

function stepFromDoc(raw: Record<string, unknown>): RunStep {
  const d = raw as unknown as StepDoc;
  return {
    id: d.id,
    step_id: d.step_id,
    status: d.status,
    visit: d.visit,
    visits: d.visits,
    outcome: d.outcome ?? null,
    notes: d.notes ?? null,
    output: JSON.parse(d.output_json ?? 'null') as JsonValue,
    tool_input: JSON.parse(d.tool_input_json ?? 'null') as JsonObject | null,
    tool_output: JSON.parse(d.tool_output_json ?? 'null') as JsonValue,
    held_result: JSON.parse(d.held_result_json ?? 'null') as RunStep['held_result'],
    error: d.error ?? null,
    tool_tries: d.tool_tries ?? 0,
    tool_running: d.tool_running ?? false,
    awaiting_approval: d.awaiting_approval ?? false,
    reminded: d.reminded ?? false,
    escalated: d.escalated ?? false,
    approvals: (d.approvals ?? []).map((a) => ({ by: actorOf(a.by), at: new Date(a.at).getTime() })),
    decided_by: d.decided_by ? actorOf(d.decided_by) : null,
    started_at: toMs(d.started_at),
    completed_at: toMs(d.completed_at),
    duration_ms: d.duration_ms ?? null,
    actor: d.actor ? actorOf(d.actor) : null,
  };
}

/** Runs stored before drivers existed have none: they were all driven by people. */
function driverOf(raw: unknown): RunDriver {
  return RUN_DRIVERS.find((d) => d === raw) ?? 'person';
}

function auditToDoc(entry: AuditEntry): Record<string, unknown> {
  return { ...entry, at: new Date(entry.at) };
}

export function auditFromDoc(raw: Record<string, unknown>): AuditEntry {
  const d = raw as unknown as AuditEntry & { at: Date };
  return {
    seq: d.seq,
    at: d.at.getTime(),
    actor: actorOf(d.actor),
    source: d.source ?? null,
    command: d.command,
    key: d.key ?? null,
    step_id: d.step_id ?? null,
    visit: d.visit ?? null,
    outcome: d.outcome ?? null,
    notes: d.notes ?? null,
    from_status: d.from_status,
    to_status: d.to_status,
  };
}

/** The fields a transition may change, but the steps (converted only where they changed, see runDocPatch). */
function runFields(run: Run): Partial<RunDoc> {
  return {
    status: run.status,
    variables_json: json(run.variables),
    current_step_id: run.current_step_id,
    visit_count: run.visit_count,
    wait: run.wait ? { ...run.wait, due_at: new Date(run.wait.due_at) } : null,
    timers: run.timers.map((t) => ({ ...t, due_at: new Date(t.due_at) })),
    rollback_queue: run.rollback_queue,
    rollback_executed: run.rollback_executed,
    error_message: run.error_message,
    applied_keys: run.applied_keys,
    keys_evicted: run.keys_evicted,
    tool_call_out: run.steps.some((s) => s.tool_running),
    audit_seq: run.audit_seq,
    started_at: toDate(run.started_at),
    completed_at: toDate(run.completed_at),
    updated_at: new Date(run.updated_at),
  };
}

/** The fields a transition may change: what a document write `$set`s. */
export function mutableFields(run: Run): Partial<RunDoc> {
  return { ...runFields(run), steps: run.steps.map(stepToDoc) };
}

export function auditToDocs(entries: AuditEntry[]): Record<string, unknown>[] {
  return entries.map(auditToDoc);
}

/**
 * What one transition changed, in the stored form: the top-level fields and the steps (by
 * index) that differ. The run's audit event keeps it, so a run document written at an
 * earlier event is brought forward from the events after it.
 */
export interface RunDocPatch {
  set: Partial<RunDoc>;
  steps: Array<{ i: number; doc: Record<string, unknown> }>;
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

// The engine copies every step on each transition but keeps the values of those it does
// not change, so a step whose fields are all the same values has not changed; only the
// others are converted and compared (a 40-step run's command converts one or two, not 80).
function sameStepValues(a: RunStep, b: RunStep): boolean {
  for (const key of Object.keys(b) as (keyof RunStep)[]) if (a[key] !== b[key]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

export function runDocPatch(before: Run, after: Run): RunDocPatch {
  const from = runFields(before) as Record<string, unknown>;
  const to = runFields(after) as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(to)) {
    if (!same(from[key], value)) set[key] = value;
  }
  const steps = after.steps.flatMap((step, i) => {
    const prior = before.steps[i];
    if (prior && sameStepValues(prior, step)) return [];
    const doc = stepToDoc(step);
    return prior && same(stepToDoc(prior), doc) ? [] : [{ i, doc }];
  });
  return { set: set as Partial<RunDoc>, steps };
}

/** A stored run with a patch applied, as the update would have left it. */
export function applyRunDocPatch(doc: RunDoc, patch: RunDocPatch): RunDoc {
  const steps = [...doc.steps];
  for (const { i, doc: step } of patch.steps) steps[i] = step;
  return { ...doc, ...patch.set, steps };
}

export function toRunDoc(run: Run): RunDoc {
  return {
    _id: run.id,
    runbook_id: run.runbook.runbook_id,
    runbook_name: run.runbook.name,
    runbook_version: run.runbook.version,
    device_id: run.device_id,
    started_by: run.started_by,
    driver: run.driver,
    trigger_source: run.trigger.source,
    trigger_context_json: json(run.trigger.context),
    created_at: new Date(run.created_at),
    ...mutableFields(run),
  } as RunDoc;
}

/** The run a stored document holds; `runbook` is the version it pins, read by the caller. */
export function fromRunDoc(doc: RunDoc, runbook: RunbookSnapshot): Run {
  const variables = JSON.parse(doc.variables_json) as Record<string, string>;
  return {
    id: doc._id,
    runbook,
    status: doc.status as Run['status'],
    variables,
    // Runs stored before the device was the run's kept it as their deviceId variable.
    device_id: doc.device_id ?? variables.deviceId ?? null,
    started_by: actorOf(doc.started_by),
    driver: driverOf(doc.driver),
    trigger: { source: doc.trigger_source as Run['trigger']['source'], context: JSON.parse(doc.trigger_context_json) as JsonObject },
    steps: doc.steps.map(stepFromDoc),
    current_step_id: doc.current_step_id ?? null,
    visit_count: doc.visit_count,
    wait: doc.wait ? { kind: doc.wait.kind as 'wait' | 'retry', step_id: doc.wait.step_id, visit: doc.wait.visit, due_at: doc.wait.due_at.getTime() } : null,
    timers: (doc.timers ?? []).map(timerFromDoc),
    rollback_queue: doc.rollback_queue ?? null,
    rollback_executed: doc.rollback_executed,
    error_message: doc.error_message ?? null,
    applied_keys: [...(doc.applied_keys ?? [])],
    keys_evicted: doc.keys_evicted ?? false,
    audit_seq: doc.audit_seq,
    created_at: doc.created_at.getTime(),
    started_at: toMs(doc.started_at),
    completed_at: toMs(doc.completed_at),
    updated_at: doc.updated_at.getTime(),
  };
}
