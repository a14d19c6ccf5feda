import { CommandSchema, describeCommandIssues } from './command-schema.js';
import { advanceAwaitingApproval, advanceOutcome, approvalTimedOut, decide, waitsForApproval } from './gate-steps.js';
import { Refusal, refuse, targetStep } from './refusal.js';
import { COMMAND_ALLOWED_FROM } from './status-rules.js';
import {
  LOOP_GUARD_ERROR,
  completeStep,
  currentStep,
  enterStep,
  failStep,
  requestTool,
  runsTool,
  setStatus,
  skipStep,
  finishRun,
  armRunDeadline,
  timeOutRun,
  type Draft,
} from './step-flow.js';
import { applyToolResult, runToolForPerson, toolResult } from './tool-steps.js';
import type {
  AuditEntry,
  Command,
  CompiledStep,
  EngineError,
  PendingTimer,
  Run,
  RunStep,
  TransitionContext,
  TransitionResult,
} from './types.js';

/** A private copy of everything a transition may change; the runbook snapshot is immutable. */
function draftOf(run: Run, now: number): Draft {
  return {
    run: {
      ...run,
      variables: { ...run.variables },
      steps: run.steps.map((s) => ({ ...s })),
      wait: run.wait ? { ...run.wait } : null,
      timers: run.timers.map((t) => ({ ...t })),
      rollback_queue: run.rollback_queue ? [...run.rollback_queue] : null,
      applied_keys: [...run.applied_keys],
    },
    effects: [],
    now,
  };
}

/**
 * The engine: applies one command to a run. Pure: the input run is never modified, and a
 * refused command returns the run exactly as it was with a typed error.
 */
export function transition(run: Run, command: Command, ctx: TransitionContext): TransitionResult {
  const parsed = CommandSchema.safeParse(command);
  if (!parsed.success) {
    return { ok: false, run, error: { code: 'validation', message: describeCommandIssues(parsed.error).join('; ') } };
  }
  const cmd = parsed.data as Command;
  if (cmd.key !== undefined && run.applied_keys.includes(cmd.key)) {
    return { ok: true, run, effects: [], duplicate: true, audit: null };
  }
  const draft = draftOf(run, ctx.now);
  try {
    if (!COMMAND_ALLOWED_FROM[cmd.type].includes(run.status)) {
      refuse('conflict', `cannot ${cmd.type.replace('_', ' ')}: run ${run.id} is ${run.status}`);
    }
    const stepBefore = draft.run.current_step_id;
    const visitBefore = stepBefore ? draft.run.steps.find((s) => s.step_id === stepBefore)?.visit ?? null : null;
    apply(draft, cmd);
    const audit = record(draft, cmd, run, stepBefore, visitBefore);
    return { ok: true, run: draft.run, effects: draft.effects, duplicate: false, audit };
  } catch (error) {
    if (error instanceof Refusal) {
      const engineError: EngineError = { code: error.code, message: error.message };
      return { ok: false, run, error: engineError };
    }
    throw error;
  }
}

/** The run remembers this many recent idempotency keys; older ones are found in the audit trail. */
export const APPLIED_KEYS_WINDOW = 100;

function record(draft: Draft, cmd: Command, before: Run, stepId: string | null, visit: number | null): AuditEntry {
  const run = draft.run;
  if (cmd.key !== undefined) {
    run.applied_keys.push(cmd.key);
    if (run.applied_keys.length > APPLIED_KEYS_WINDOW) {
      run.applied_keys.shift();
      run.keys_evicted = true;
    }
  }
  run.updated_at = draft.now;
  run.audit_seq += 1;
  draft.effects.push({ type: 'render', run_id: run.id });
  return {
    seq: run.audit_seq,
    at: draft.now,
    actor: cmd.actor,
    source: cmd.source ?? null,
    command: cmd.type,
    key: cmd.key ?? null,
    step_id: stepId,
    visit,
    outcome: cmd.type === 'advance' ? advanceOutcome(before, cmd) : null,
    notes: 'notes' in cmd ? (cmd.notes ?? null) : 'reason' in cmd ? (cmd.reason ?? null) : null,
    from_status: before.status,
    to_status: run.status,
  };
}

function apply(draft: Draft, cmd: Command): void {
  const run = draft.run;
  switch (cmd.type) {
    case 'start':
      run.started_at = draft.now;
      setStatus(draft, 'running');
      armRunDeadline(draft);
      enterStep(draft, run.runbook.steps[0]?.id ?? null);
      return;
    case 'advance': {
      const { def, state } = targetStep(run, cmd);
      if (waitsForApproval(def, state)) {
        advanceAwaitingApproval(draft, def, state, cmd);
        return;
      }
      if (runsTool(run, def)) {
        refuse('conflict', `step "${def.label}" runs the tool ${def.tool}: wait for its result, or fail or skip it`);
      }
      const outcome = cmd.outcome ?? 'done';
      if (def.type === 'branch') {
        const allowed = Object.keys(def.next_on_outcome ?? {});
        if (!allowed.includes(outcome)) {
          refuse('validation', `outcome "${outcome}" is not one of this branch's outcomes: ${allowed.join(', ')}`);
        }
      }
      completeStep(draft, def, state, { outcome, notes: cmd.notes ?? null, output: cmd.output ?? null, actor: cmd.actor });
      return;
    }
    case 'skip': {
      const { def, state } = targetStep(run, cmd);
      if (def.required) refuse('validation', `step "${def.label}" is required and cannot be skipped`);
      if (run.status === 'waiting') setStatus(draft, 'running');
      skipStep(draft, def, state, cmd.notes ?? null, cmd.actor);
      return;
    }
    case 'fail': {
      const { def, state } = targetStep(run, cmd);
      failStep(draft, def, state, { notes: cmd.notes ?? null, output: cmd.output ?? null, error: cmd.notes ?? 'marked failed', actor: cmd.actor });
      return;
    }
    case 'approve':
    case 'reject':
      decide(draft, cmd);
      return;
    case 'pause':
      setStatus(draft, 'paused');
      return;
    case 'resume':
      resume(draft);
      return;
    case 'cancel': {
      const current = currentStep(run);
      if (current && current.state.status === 'active') current.state.notes ??= 'run cancelled';
      finishRun(draft, 'cancelled');
      return;
    }
    case 'retry': {
      if (run.error_message === LOOP_GUARD_ERROR) refuse('conflict', `cannot retry: ${LOOP_GUARD_ERROR}`);
      const current = currentStep(run);
      if (!current) return refuse('conflict', `run ${run.id} has no failed step to retry`);
      run.error_message = null;
      run.completed_at = null;
      setStatus(draft, 'running');
      // A retried run gets the whole of its runbook's timeout again.
      armRunDeadline(draft);
      enterStep(draft, current.def.id);
      return;
    }
    case 'wait_elapsed':
      waitElapsed(draft, cmd);
      return;
    case 'timer_fired':
      timerFired(draft, cmd);
      return;
    case 'run_tool':
      runToolForPerson(draft, cmd);
      return;
    case 'tool_result':
      toolResult(draft, cmd);
      return;
  }
}

function resume(draft: Draft): void {
  const run = draft.run;
  const current = currentStep(run);
  if (!current) return refuse('conflict', `run ${run.id} has no current step to resume`);
  const { def, state } = current;
  const wait = run.wait;
  setStatus(draft, 'running');
  // Deadlines kept counting while paused: one that passed applies now, the rest are set again.
  for (const timer of [...run.timers]) {
    if (timer.due_at > draft.now) draft.effects.push({ type: 'scheduleTimer', run_id: run.id, timer });
    else if (applyTimer(draft, timer)) return;
  }
  if (state.held_result) {
    const held = state.held_result;
    state.held_result = null;
    applyToolResult(draft, def, state, held);
    return;
  }
  if (!wait) return;
  if (wait.kind === 'wait') setStatus(draft, 'waiting');
  if (wait.due_at <= draft.now) {
    // The due time passed while paused: carry on now, as if the timer had just fired.
    elapse(draft, def, state, wait.kind);
  } else {
    draft.effects.push({ type: 'scheduleWait', run_id: run.id, wait });
  }
}

function elapse(draft: Draft, def: CompiledStep, state: RunStep, kind: 'wait' | 'retry'): void {
  draft.run.wait = null;
  if (kind === 'wait') {
    completeStep(draft, def, state, { outcome: 'done', actor: null });
  } else {
    requestTool(draft, def, state);
  }
}

/** Applies a pending deadline; true when it ended the current step (a timeout). */
function applyTimer(draft: Draft, timer: PendingTimer): boolean {
  const run = draft.run;
  run.timers = run.timers.filter((t) => t.kind !== timer.kind);
  if (timer.kind === 'run_timeout') {
    timeOutRun(draft, `run timed out after ${run.runbook.timeout_seconds ?? 0} s`);
    return true;
  }
  const current = currentStep(run);
  if (!current) return false;
  if (timer.kind === 'step_reminder') {
    current.state.reminded = true;
    return false;
  }
  if (timer.kind === 'approval_timeout') return approvalTimedOut(draft, current.def, current.state);
  failStep(draft, current.def, current.state, { error: `timed out after ${current.def.timeout_seconds ?? 0} s`, actor: null });
  return true;
}

function timerFired(draft: Draft, cmd: Extract<Command, { type: 'timer_fired' }>): void {
  const run = draft.run;
  if (cmd.kind === 'run_timeout') {
    const timer = run.timers.find((t) => t.kind === 'run_timeout');
    if (!timer) refuse('conflict', `stale command: run ${run.id} has no run timeout pending`);
    applyTimer(draft, timer!);
    return;
  }
  const { def, state } = targetStep(run, cmd);
  const timer = run.timers.find((t) => t.kind === cmd.kind && t.step_id === cmd.step_id && t.visit === cmd.visit);
  const what = { step_timeout: 'timeout', step_reminder: 'reminder', approval_timeout: 'approval deadline' }[cmd.kind];
  if (!timer || state.status !== 'active') refuse('conflict', `stale command: step "${def.label}" has no ${what} pending`);
  applyTimer(draft, timer!);
}

function waitElapsed(draft: Draft, cmd: Extract<Command, { type: 'wait_elapsed' }>): void {
  const run = draft.run;
  const { def, state } = targetStep(run, cmd);
  const wait = run.wait;
  if (!wait || wait.step_id !== cmd.step_id || wait.visit !== cmd.visit) {
    refuse('conflict', `stale command: step "${def.label}" is not waiting`);
  }
  elapse(draft, def, state, wait!.kind);
}
