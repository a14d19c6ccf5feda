// The scale harness's model: one run as a single process would run it, through the pure
// engine (startRun + transition), fed the commands the driver sent in the order it sent
// them, and the system's own commands (a wait that elapsed, a tool's result) where they
// happen. The driver sends a run's next command only once Slack shows the previous one's
// effect, so the order is known, with one exception it resolves by what Slack shows: a
// command sent while a wait is pending may land before or after the wait elapses (two
// paths, see `paths`). What the model predicts and the harness checks (checks.ts):
//
// - the run's final status, step states and audit trail (which commands took effect, in
//   which order) against the stored run;
// - the run message as Slack shows it, minus times (`viewOf`), after each command and at
//   the end;
// - the thread: one reply per finished step visit (keyed as the notifier keys them,
//   `STEP#VISIT`, with the heading the reply would have) and one approval request per
//   visit of a gate (or hybrid act) that Slack showed waiting for its approvers;
// - the tool calls: one execution per call the engine asked for (`runTool` effects).
import { buildRunMessage } from '../../src/bot/views/run-message.js';
import { buildStepReply } from '../../src/bot/views/step-reply.js';
import { needsApproval } from '../../src/bot/views/approval-request.js';
import {
  currentStep,
  isTerminal,
  startRun,
  transition,
  type Actor,
  type AuditEntry,
  type Command,
  type JsonObject,
  type Run,
  type RunbookSnapshot,
  type RunDriver,
  type TransitionResult,
} from '../../src/engine/index.js';

/** Who the model says sends the system's commands; audit actors are not compared for these. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'scale-model' };

const FINISHED = new Set(['completed', 'skipped', 'failed']);

type Block = { type?: string; text?: { text?: string }; elements?: Array<{ text?: string; action_id?: string; value?: string }> };

/** Dates and durations, which differ between the model and the bot by the time a command took. */
function timeless(text: string): string {
  return text.replace(/<!date\^[^>]*>/g, '~').replace(/\b\d+[dhms](?: \d{2}[hms])?\b/g, '~');
}

/**
 * The run message as a person reads it, times aside: the header (name, status), the progress
 * line, the current step (heading, instruction, what it waits for) or how the run ended, and
 * every button with its value (which carries the run, step and visit). The summary line
 * (start time, time so far), variables, failure banner and history are left out.
 */
export function fingerprintOf(blocks: readonly unknown[] | undefined): string {
  const list = (blocks ?? []) as Block[];
  const parts: string[] = [];
  let dividers = 0;
  list.forEach((block, i) => {
    if (block.type === 'divider') {
      dividers += 1;
      return;
    }
    if (block.type === 'header') parts.push(`H ${block.text?.text ?? ''}`);
    else if (block.type === 'actions') for (const e of block.elements ?? []) parts.push(`B ${e.action_id ?? ''}=${e.value ?? ''}`);
    else if (block.type === 'context' && i > 1) {
      const text = (block.elements ?? []).map((e) => e.text ?? '').join(' ');
      if (text.startsWith('*Progress*') || dividers === 1) parts.push(`C ${timeless(text)}`);
    } else if (block.type === 'section' && dividers === 1) parts.push(`S ${timeless(block.text?.text ?? '')}`);
  });
  return parts.join('\n');
}

/** What the run message shows of `run` (fingerprintOf its blocks). */
export function viewOf(run: Run): string {
  return fingerprintOf(buildRunMessage(run, { now: Date.now() }).blocks);
}

/** The probe tool's answer to an input (test/scale/probe-tool.mjs). */
function probeOutput(input: JsonObject | null): JsonObject {
  const value = (key: string) => String(input?.[key] ?? '');
  return { tag: value('tag'), step: value('step'), verdict: value('verdict') };
}

/**
 * The command the system applies next on its own, if any: the result of the tool call out
 * (a runner answers in milliseconds), or the pending wait (due in a second or two). A paused
 * run takes a tool result (held until resume) but not a wait, which resume applies itself.
 */
export function nextSystemCommand(run: Run): Command | null {
  if (isTerminal(run.status) || run.status === 'failed') return null;
  const cur = currentStep(run);
  if (cur && cur.state.tool_running && (run.status === 'running' || run.status === 'paused')) {
    return { type: 'tool_result', actor: SYSTEM_ACTOR, step_id: cur.def.id, visit: cur.state.visit, try: cur.state.tool_tries, ok: true, output: probeOutput(cur.state.tool_input) };
  }
  if (run.wait && run.wait.kind === 'wait' && (run.status === 'waiting' || run.status === 'running')) {
    return { type: 'wait_elapsed', actor: SYSTEM_ACTOR, step_id: run.wait.step_id, visit: run.wait.visit };
  }
  return null;
}

/** The states the system takes the run through by itself from `run`, each with its command. */
export function systemChain(run: Run, max = 20): Array<{ command: Command; result: Extract<TransitionResult, { ok: true }> }> {
  const chain: Array<{ command: Command; result: Extract<TransitionResult, { ok: true }> }> = [];
  let state = run;
  for (let i = 0; i < max; i += 1) {
    const command = nextSystemCommand(state);
    if (!command) break;
    const result = transition(state, command, { now: Date.now() });
    if (!result.ok || result.duplicate) throw new Error(`model: the system's ${command.type} was refused on ${state.id}: ${result.ok ? 'duplicate' : result.error.message}`);
    chain.push({ command, result });
    state = result.run;
  }
  return chain;
}

/** One way a command sent now may land: after `before` (system commands), then the command. */
export interface Path {
  before: Command[];
  /** The state the command met. */
  met: Run;
  result: TransitionResult;
}

/**
 * The orders in which `command`, sent now, may meet the run: right away, or, while a wait is
 * pending, after the wait elapsed (the driver sends nothing while a tool call is out).
 */
export function paths(run: Run, command: Command): Path[] {
  const now = { now: Date.now() };
  const out: Path[] = [{ before: [], met: run, result: transition(run, command, now) }];
  const system = nextSystemCommand(run);
  if (system?.type === 'wait_elapsed') {
    const elapsed = transition(run, system, now);
    if (elapsed.ok && !elapsed.duplicate) out.push({ before: [system], met: elapsed.run, result: transition(elapsed.run, command, now) });
  }
  return out;
}

export interface ExpectedReply {
  key: string;
  heading: string;
}

/** One run as the model sees it: its state, and what it expects of the store, the thread and the runner. */
export class RunModel {
  run: Run;
  /** Audit entries of every command that took effect, in order. */
  readonly audit: AuditEntry[];
  /** Thread replies for finished step visits, by the notifier's key. */
  readonly replies = new Map<string, ExpectedReply>();
  /** Step visits whose approval request the thread should hold (Slack showed them waiting for approvers). */
  readonly approvalRequests = new Set<string>();
  /** Tool executions the engine asked for, by step ref (the probe's `step` field). */
  readonly toolCalls = new Map<string, number>();

  constructor(input: { id: string; runbook: RunbookSnapshot; variables: Record<string, string>; device?: string; startedBy: Actor; driver: RunDriver; key?: string }) {
    let n = 0;
    const started = startRun(
      { id: input.id, runbook: input.runbook, variables: input.variables, ...(input.device ? { device: input.device } : {}), started_by: input.startedBy, driver: input.driver },
      { now: Date.now(), ids: () => `rrs_model${(n += 1)}` },
      input.key,
    );
    if (!started.ok || started.duplicate) throw new Error(`model: the run does not start: ${started.ok ? 'duplicate' : started.error.message}`);
    this.run = started.run;
    this.audit = [started.audit];
    this.record(started);
  }

  /** Applies one command that took effect (or that the model says took none); returns the engine's answer. */
  apply(command: Command): TransitionResult {
    const result = transition(this.run, command, { now: Date.now() });
    if (result.ok && !result.duplicate) {
      this.run = result.run;
      this.audit.push(result.audit);
      this.record(result);
    }
    return result;
  }

  /** The run message was seen showing the current state: its approval request is due in the thread. */
  shown(): void {
    const cur = currentStep(this.run);
    if (cur && needsApproval(this.run, cur.def.id)) this.approvalRequests.add(`${cur.def.id}#${cur.state.visit}`);
  }

  private record(result: Extract<TransitionResult, { ok: true }>): void {
    for (const effect of result.effects) {
      if (effect.type !== 'runTool') continue;
      const ref = this.run.runbook.steps.find((s) => s.id === effect.step_id)?.ref ?? effect.step_id;
      this.toolCalls.set(ref, (this.toolCalls.get(ref) ?? 0) + 1);
    }
    for (const state of this.run.steps) {
      if (!FINISHED.has(state.status) || state.visit === 0) continue;
      const key = `${state.step_id}#${state.visit}`;
      if (this.replies.has(key)) continue;
      const heading = (buildStepReply(this.run, state.step_id).blocks[0] as Block).text?.text ?? '';
      this.replies.set(key, { key, heading });
    }
  }
}
