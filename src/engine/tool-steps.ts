// Tool steps: a result arriving for the call out on the current step, and a person asking
// for a tool to be run on a step of a `human` runbook (the result is shown; the person
// still decides Done or Fail).
import { refuse, targetStep } from './refusal.js';
import { completeStep, failStep, isToolStep, requestTool, runsTool, scheduleWait, type Draft } from './step-flow.js';
import type { Command, CompiledStep, RunStep, ToolResult } from './types.js';
import { evaluateVerify } from './verify-condition.js';

export function runToolForPerson(draft: Draft, cmd: Extract<Command, { type: 'run_tool' }>): void {
  const { def, state } = targetStep(draft.run, cmd);
  if (!isToolStep(def)) refuse('validation', `step "${def.label}" has no tool to run`);
  if (runsTool(draft.run, def)) refuse('conflict', `step "${def.label}" runs its tool ${def.tool} by itself`);
  if (state.tool_running) refuse('conflict', `the tool ${def.tool} of step "${def.label}" is already running`);
  requestTool(draft, def, state);
}

export function toolResult(draft: Draft, cmd: Extract<Command, { type: 'tool_result' }>): void {
  const run = draft.run;
  const { def, state } = targetStep(run, cmd);
  if (!state.tool_running) refuse('conflict', `stale command: step "${def.label}" is not waiting for a tool result`);
  if (cmd.try !== undefined && cmd.try !== state.tool_tries) {
    refuse('conflict', `stale command: the result of call ${cmd.try} of step "${def.label}", which is on call ${state.tool_tries}`);
  }
  const result: ToolResult = { ok: cmd.ok, output: cmd.output ?? null, error: cmd.error ?? null };
  state.tool_running = false;
  if (!runsTool(run, def)) {
    showToPerson(def, state, result);
    return;
  }
  if (run.status === 'paused') {
    state.held_result = result;
    state.tool_output = result.output;
    return;
  }
  applyToolResult(draft, def, state, result);
}

/** A `human` step keeps the result on record and stays active: the person reads it and decides. */
function showToPerson(def: CompiledStep, state: RunStep, result: ToolResult): void {
  state.tool_output = result.output;
  state.error = result.ok ? null : (result.error ?? `tool ${def.tool} failed`);
  if (result.ok && def.type === 'verify' && def.verify !== null) state.notes = evaluateVerify(def.verify, result.output).explanation;
}

export function applyToolResult(draft: Draft, def: CompiledStep, state: RunStep, result: ToolResult): void {
  state.tool_output = result.output;
  // The step's actor is whoever approved the tool (hybrid act); the tool itself is no one.
  const actor = state.actor;
  if (!result.ok) {
    failStep(draft, def, state, { error: result.error ?? `tool ${def.tool} failed`, actor });
    return;
  }
  if (def.type !== 'verify' || def.verify === null) {
    completeStep(draft, def, state, { outcome: 'done', actor });
    return;
  }
  const verdict = evaluateVerify(def.verify, result.output);
  if (verdict.passed) {
    completeStep(draft, def, state, { outcome: 'pass', notes: verdict.explanation, actor });
    return;
  }
  const retry = def.verify.retry;
  const startedAt = state.started_at ?? draft.now;
  if (retry && draft.now + retry.interval_seconds * 1000 - startedAt <= retry.timeout_seconds * 1000) {
    state.notes = `not yet: ${verdict.explanation}`;
    scheduleWait(draft, 'retry', def, state, retry.interval_seconds);
    return;
  }
  state.outcome = 'fail';
  failStep(draft, def, state, { notes: verdict.explanation, error: `verify failed: ${verdict.explanation}`, actor });
}
