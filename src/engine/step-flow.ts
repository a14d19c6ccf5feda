import { resolveJson } from './definition/template.js';
import { canTransition, isTerminal } from './status-rules.js';
import {
  DEVICE_VARIABLE,
  TOOL_STEP_TYPES,
  type Actor,
  type CompiledStep,
  type Effect,
  type JsonObject,
  type JsonValue,
  type PendingTimer,
  type Run,
  type RunbookSnapshot,
  type RunStatus,
  type RunStep,
} from './types.js';

/** DESIGN.md §2: a run that visits more than this many steps fails with a loop error. */
export const MAX_STEP_VISITS = 1000;
export const LOOP_GUARD_ERROR = `loop guard: the run visited more than ${MAX_STEP_VISITS} steps`;

/** A transition under construction: a private copy of the run plus the effects so far. */
export interface Draft {
  run: Run;
  effects: Effect[];
  now: number;
}

export class EngineBug extends Error {}

export function setStatus(draft: Draft, to: RunStatus): void {
  const from = draft.run.status;
  if (from === to) return;
  if (!canTransition(from, to)) throw new EngineBug(`illegal run status change ${from} → ${to}`);
  draft.run.status = to;
  if (isTerminal(to) || to === 'failed') {
    draft.effects.push({ type: 'runFinished', run_id: draft.run.id, status: to });
  }
}

export function stepDef(run: Run, stepId: string): CompiledStep {
  const def = run.runbook.steps.find((s) => s.id === stepId);
  if (!def) throw new EngineBug(`unknown step id ${stepId}`);
  return def;
}

export function runStep(run: Run, stepId: string): RunStep {
  const step = run.steps.find((s) => s.step_id === stepId);
  if (!step) throw new EngineBug(`run has no state for step ${stepId}`);
  return step;
}

/** A step's definition and its state in this run; null when the run has no such step. */
export function findStep(run: Run, stepId: string | null): { def: CompiledStep; state: RunStep } | null {
  if (stepId === null) return null;
  const def = run.runbook.steps.find((s) => s.id === stepId);
  const state = run.steps.find((s) => s.step_id === stepId);
  return def && state ? { def, state } : null;
}

export function currentStep(run: Run): { def: CompiledStep; state: RunStep } | null {
  if (run.current_step_id === null) return null;
  return { def: stepDef(run, run.current_step_id), state: runStep(run, run.current_step_id) };
}

export const isToolStep = (def: CompiledStep): boolean => TOOL_STEP_TYPES.includes(def.type) && def.tool !== null;

/** Tool steps run their tool unless the runbook is written for people. */
export function runsTool(run: Run, def: CompiledStep): boolean {
  return isToolStep(def) && run.runbook.audience !== 'human';
}

/** True when a run of this runbook runs tools, and so needs a device (the run's `device_id`). */
export function runsTools(runbook: Pick<RunbookSnapshot, 'audience' | 'steps'>): boolean {
  return runbook.audience !== 'human' && runbook.steps.some(isToolStep);
}

export function routeFor(def: CompiledStep, outcome: string | null): string | null {
  if (outcome !== null && def.next_on_outcome && Object.hasOwn(def.next_on_outcome, outcome)) {
    return def.next_on_outcome[outcome] ?? null;
  }
  return def.next_default;
}

function finishStep(draft: Draft, state: RunStep, status: 'completed' | 'skipped' | 'failed', actor: Actor | null): void {
  draft.run.timers = draft.run.timers.filter((t) => t.step_id !== state.step_id);
  state.status = status;
  state.completed_at = draft.now;
  state.duration_ms = state.started_at === null ? null : draft.now - state.started_at;
  state.actor = actor;
  state.awaiting_approval = false;
  state.tool_running = false;
}

function clearWait(draft: Draft): void {
  if (draft.run.wait) {
    draft.effects.push({ type: 'cancelWait', run_id: draft.run.id, wait: draft.run.wait });
    draft.run.wait = null;
  }
}

/** Marks steps never reached as skipped so a finished run has nothing remaining. */
function skipUnreached(draft: Draft): void {
  for (const state of draft.run.steps) {
    if (state.status === 'pending' || state.status === 'active') {
      state.status = 'skipped';
      state.notes ??= 'not reached';
      // A call still out is answered into a finished run, and refused there as stale.
      state.tool_running = false;
    }
  }
}

export function finishRun(draft: Draft, status: 'completed' | 'rolled_back' | 'cancelled'): void {
  clearWait(draft);
  draft.run.timers = [];
  skipUnreached(draft);
  draft.run.current_step_id = null;
  draft.run.completed_at = draft.now;
  if (status === 'rolled_back') draft.run.rollback_executed = true;
  draft.run.rollback_queue = null;
  setStatus(draft, status);
}

export function failRun(draft: Draft, message: string): void {
  clearWait(draft);
  draft.run.timers = [];
  draft.run.error_message = message;
  draft.run.completed_at = draft.now;
  setStatus(draft, 'failed');
}

/** What `{placeholders}` stand for in a run: its variables, and `deviceId` for its device. */
export function placeholderValues(run: Pick<Run, 'variables' | 'device_id'>): Record<string, string> {
  return run.device_id === null || Object.hasOwn(run.variables, DEVICE_VARIABLE) ? run.variables : { ...run.variables, [DEVICE_VARIABLE]: run.device_id };
}

function resolvedToolInput(run: Run, def: CompiledStep): JsonObject {
  return (resolveJson(def.tool_input ?? {}, placeholderValues(run)) as JsonObject) ?? {};
}

export function requestTool(draft: Draft, def: CompiledStep, state: RunStep): void {
  const input = resolvedToolInput(draft.run, def);
  state.tool_input = input;
  state.tool_tries += 1;
  state.tool_running = true;
  state.error = null;
  draft.effects.push({
    type: 'runTool',
    run_id: draft.run.id,
    step_id: def.id,
    visit: state.visit,
    step_type: def.type,
    try: state.tool_tries,
    tool: def.tool ?? '',
    input,
    timeout_seconds: def.timeout_seconds,
  });
}

export function scheduleWait(draft: Draft, kind: 'wait' | 'retry', def: CompiledStep, state: RunStep, seconds: number): void {
  draft.run.wait = { kind, step_id: def.id, visit: state.visit, due_at: draft.now + seconds * 1000 };
  draft.effects.push({ type: 'scheduleWait', run_id: draft.run.id, wait: draft.run.wait });
}

/** A step's state before its first visit; each visit starts from it again. */
export function blankStepState(id: string, stepId: string): RunStep {
  return {
    id,
    step_id: stepId,
    status: 'pending',
    visit: 0,
    visits: 0,
    outcome: null,
    notes: null,
    output: null,
    tool_input: null,
    tool_output: null,
    error: null,
    tool_tries: 0,
    tool_running: false,
    awaiting_approval: false,
    reminded: false,
    approvals: [],
    escalated: false,
    held_result: null,
    decided_by: null,
    started_at: null,
    completed_at: null,
    duration_ms: null,
    actor: null,
  };
}

/** Activates a step (or ends the run on null), following pass-through skips of rollback steps. */
export function enterStep(draft: Draft, stepId: string | null): void {
  const run = draft.run;
  let target = stepId;
  for (;;) {
    if (target === null) {
      finishRun(draft, 'completed');
      return;
    }
    const def = stepDef(run, target);
    const state = runStep(run, target);
    run.current_step_id = def.id;
    if (run.visit_count >= MAX_STEP_VISITS) {
      state.status = 'failed';
      state.error = LOOP_GUARD_ERROR;
      failRun(draft, LOOP_GUARD_ERROR);
      return;
    }
    run.visit_count += 1;
    Object.assign(state, blankStepState(state.id, state.step_id), {
      status: 'active',
      visit: run.visit_count,
      visits: state.visits + 1,
      started_at: draft.now,
    } satisfies Partial<RunStep>);
    // In normal flow rollback steps only pass control on; they run during a rollback.
    if (def.type === 'rollback' && run.rollback_queue === null) {
      finishStep(draft, state, 'skipped', null);
      state.notes = 'rollback step: runs only when a rollback is triggered';
      target = def.next_default;
      continue;
    }
    activate(draft, def, state);
    return;
  }
}

/** True when a person finishes the step (not its tool, not a timer): `timeout_seconds` bounds how long they take. */
export function isHumanStep(run: Run, def: CompiledStep): boolean {
  return def.type !== 'wait' && !runsTool(run, def);
}

/** The step's timeout and its reminder at half time, for a step people finish. */
function scheduleDeadlines(draft: Draft, def: CompiledStep, state: RunStep): void {
  if (def.timeout_seconds === null || !isHumanStep(draft.run, def)) return;
  const due = (seconds: number) => draft.now + Math.round(seconds * 1000);
  const timers = [
    { kind: 'step_reminder' as const, step_id: def.id, visit: state.visit, due_at: due(def.timeout_seconds / 2) },
    { kind: 'step_timeout' as const, step_id: def.id, visit: state.visit, due_at: due(def.timeout_seconds) },
  ];
  draft.run.timers = [...draft.run.timers.filter((t) => t.kind === 'run_timeout'), ...timers];
  for (const timer of timers) draft.effects.push({ type: 'scheduleTimer', run_id: draft.run.id, timer });
}

/** The approvers' deadline (approval_timeout_seconds), once the step starts waiting for them. */
function scheduleApprovalTimeout(draft: Draft, def: CompiledStep, state: RunStep): void {
  if (def.approval_timeout_seconds === null) return;
  const timer: PendingTimer = { kind: 'approval_timeout', step_id: def.id, visit: state.visit, due_at: draft.now + def.approval_timeout_seconds * 1000 };
  draft.run.timers = [...draft.run.timers, timer];
  draft.effects.push({ type: 'scheduleTimer', run_id: draft.run.id, timer });
}

/** The runbook's timeout_seconds from now, when it has one (at start, and again on retry). */
export function armRunDeadline(draft: Draft): void {
  const seconds = draft.run.runbook.timeout_seconds ?? null;
  draft.run.timers = draft.run.timers.filter((t) => t.kind !== 'run_timeout');
  if (seconds === null) return;
  const timer: PendingTimer = { kind: 'run_timeout', step_id: null, visit: null, due_at: draft.now + seconds * 1000 };
  draft.run.timers.push(timer);
  draft.effects.push({ type: 'scheduleTimer', run_id: draft.run.id, timer });
}

/** The run's deadline passed: the step under way fails with `message`, and so does the run (no on_failure). */
export function timeOutRun(draft: Draft, message: string): void {
  const current = currentStep(draft.run);
  if (current && current.state.status === 'active') {
    current.state.error = message;
    finishStep(draft, current.state, 'failed', null);
  }
  failRun(draft, message);
}

function activate(draft: Draft, def: CompiledStep, state: RunStep): void {
  const run = draft.run;
  setStatus(draft, def.type === 'wait' ? 'waiting' : 'running');
  scheduleDeadlines(draft, def, state);
  if (def.type === 'wait') {
    scheduleWait(draft, 'wait', def, state, def.wait_seconds ?? 0);
  } else if (def.type === 'gate') {
    draft.effects.push({ type: 'notifyApprovers', run_id: run.id, step_id: def.id, visit: state.visit, approvers: def.approvers });
    scheduleApprovalTimeout(draft, def, state);
  } else if (runsTool(run, def)) {
    if (def.type === 'act' && run.runbook.audience === 'hybrid') {
      state.awaiting_approval = true;
      draft.effects.push({ type: 'notifyApprovers', run_id: run.id, step_id: def.id, visit: state.visit, approvers: def.approvers });
      scheduleApprovalTimeout(draft, def, state);
    } else {
      requestTool(draft, def, state);
    }
  }
}

export interface StepReport {
  outcome?: string;
  notes?: string | null;
  output?: JsonValue;
  actor: Actor | null;
}

export function completeStep(draft: Draft, def: CompiledStep, state: RunStep, report: StepReport): void {
  const outcome = report.outcome ?? 'done';
  state.outcome = outcome;
  if (report.notes !== undefined) state.notes = report.notes;
  if (report.output !== undefined) state.output = report.output;
  finishStep(draft, state, 'completed', report.actor);
  clearWait(draft);
  const queue = draft.run.rollback_queue;
  if (queue !== null) {
    continueRollback(draft);
    return;
  }
  enterStep(draft, routeFor(def, outcome));
}

export function skipStep(draft: Draft, def: CompiledStep, state: RunStep, notes: string | null, actor: Actor): void {
  state.notes = notes;
  finishStep(draft, state, 'skipped', actor);
  clearWait(draft);
  if (draft.run.rollback_queue !== null) {
    continueRollback(draft);
    return;
  }
  enterStep(draft, def.next_default);
}

export interface FailureReport {
  notes?: string | null;
  output?: JsonValue;
  error: string;
  actor: Actor | null;
}

/** Applies the step's on_failure policy (DESIGN.md §2, reference 001). */
export function failStep(draft: Draft, def: CompiledStep, state: RunStep, report: FailureReport): void {
  const run = draft.run;
  if (report.notes !== undefined) state.notes = report.notes;
  if (report.output !== undefined) state.output = report.output;
  state.error = report.error;
  finishStep(draft, state, 'failed', report.actor);
  clearWait(draft);
  const message = `step "${def.label}" failed: ${report.error}`;
  if (run.rollback_queue !== null) {
    failRun(draft, `rollback ${message}`);
    return;
  }
  switch (def.on_failure) {
    case 'stop':
      failRun(draft, message);
      return;
    case 'continue':
      enterStep(draft, def.next_default);
      return;
    case 'rollback':
      run.error_message = message;
      run.rollback_executed = true;
      run.rollback_queue = run.runbook.steps
        .filter((s) => s.type === 'rollback')
        .sort((a, b) => b.position - a.position)
        .map((s) => s.id);
      continueRollback(draft);
      return;
  }
}

function continueRollback(draft: Draft): void {
  const queue = draft.run.rollback_queue ?? [];
  const next = queue.shift();
  if (next === undefined) {
    finishRun(draft, 'rolled_back');
    return;
  }
  enterStep(draft, next);
}
