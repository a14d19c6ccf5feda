// Approvals: gates, and hybrid `act` steps that wait for an approver before their tool runs.
// In a `person` run an approval finishes the gate. In an `agent` run (reference 002, "Gate
// Steps") a person's approve or reject is only recorded on the gate; the agent reads it and
// advances, and the run moves on with the decided outcome.
import { refuse, targetStep } from './refusal.js';
import { completeStep, currentStep, failStep, requestTool, type Draft } from './step-flow.js';
import type { Actor, Command, CompiledStep, Run, RunStep } from './types.js';

export type GateOutcome = 'approved' | 'rejected';

export interface GateDecision {
  outcome: GateOutcome;
  by: Actor;
}

/** The decision recorded on a gate of an `agent` run, still waiting for the agent; null otherwise. */
export function gateDecision(run: Run, def: CompiledStep, state: RunStep): GateDecision | null {
  if (run.driver !== 'agent' || def.type !== 'gate' || state.status !== 'active' || state.decided_by === null) return null;
  if (state.outcome !== 'approved' && state.outcome !== 'rejected') return null;
  return { outcome: state.outcome, by: state.decided_by };
}

/** The outcome an advance records: the one given, else a decided gate's, else `done`. */
export function advanceOutcome(run: Run, cmd: Extract<Command, { type: 'advance' }>): string {
  if (cmd.outcome !== undefined) return cmd.outcome;
  const current = currentStep(run);
  const decision = current ? gateDecision(run, current.def, current.state) : null;
  return decision?.outcome ?? 'done';
}

const PREFIX = 'apikey:';

/**
 * The approver ids an actor answers to: an API key (an `api` actor, id `NAME` or
 * `apikey:NAME`) only to `apikey:NAME`; anyone else to their id and their groups.
 */
function approverIds(actor: Actor): string[] {
  if (actor.kind === 'api') return [actor.id.startsWith(PREFIX) ? actor.id : `${PREFIX}${actor.id}`];
  return [actor.id, ...(actor.groups ?? [])].filter((id) => !id.startsWith(PREFIX));
}

const actorName = (actor: Actor): string => actor.name ?? actor.id;

function approversWording(def: CompiledStep): string {
  const who = def.approvers.length > 0 ? def.approvers.join(', ') : 'anyone in the channel';
  return def.allow_self_approval ? who : `${who} (not the person who started the run)`;
}

function checkApprover(run: Run, def: CompiledStep, actor: Actor): void {
  if (def.approvers.length > 0 && !approverIds(actor).some((id) => def.approvers.includes(id))) {
    refuse('forbidden', `only ${def.approvers.join(', ')} may approve or reject step "${def.label}"`);
  }
  if (!def.allow_self_approval && actor.id === run.started_by.id) {
    refuse('forbidden', `step "${def.label}" needs someone other than the person who started the run`);
  }
}

/** `approve` and `reject`. */
export function decide(draft: Draft, cmd: Extract<Command, { type: 'approve' | 'reject' }>): void {
  const run = draft.run;
  const { def, state } = targetStep(run, cmd);
  const isGate = def.type === 'gate';
  if (!isGate && !state.awaiting_approval) refuse('validation', `step "${def.label}" is not waiting for an approval`);
  const decided = gateDecision(run, def, state);
  if (decided) refuse('conflict', `step "${def.label}" is already ${decided.outcome} by ${actorName(decided.by)}`);
  checkApprover(run, def, cmd.actor);
  const notes = cmd.notes ?? null;
  const outcome: GateOutcome = cmd.type === 'approve' ? 'approved' : 'rejected';
  if (outcome === 'approved' && !countApproval(draft, def, state, cmd.actor)) return;
  if (isGate && run.driver === 'agent') {
    state.outcome = outcome;
    state.decided_by = cmd.actor;
    if (cmd.notes !== undefined) state.notes = cmd.notes;
  } else if (outcome === 'rejected') {
    reject(draft, def, state, { notes, by: cmd.actor, actor: cmd.actor });
  } else if (isGate) {
    completeStep(draft, def, state, { outcome, notes, actor: cmd.actor });
  } else {
    state.awaiting_approval = false;
    state.actor = cmd.actor;
    requestTool(draft, def, state);
  }
}

const TIMEOUT_ACTOR: Actor = { kind: 'system', id: 'approval-timer', name: 'the approval deadline' };

/**
 * The approvers' time is up and the step is still waiting for them: `reject` decides as a
 * reject would, `fail` fails the step, `escalate` marks it for the escalation channel and
 * keeps waiting. True when the step ended.
 */
export function approvalTimedOut(draft: Draft, def: CompiledStep, state: RunStep): boolean {
  const waiting = (def.type === 'gate' && gateDecision(draft.run, def, state) === null) || state.awaiting_approval;
  if (!waiting) return false;
  const seconds = def.approval_timeout_seconds ?? 0;
  switch (def.on_timeout ?? 'reject') {
    case 'reject':
      if (def.type === 'gate' && draft.run.driver === 'agent') {
        // As a person's reject on an agent's gate: recorded, for the agent to advance on.
        state.outcome = 'rejected';
        state.decided_by = TIMEOUT_ACTOR;
        return false;
      }
      reject(draft, def, state, { notes: `no approval within ${seconds} s`, by: TIMEOUT_ACTOR, actor: TIMEOUT_ACTOR });
      return true;
    case 'fail':
      failStep(draft, def, state, { error: `no approval within ${seconds} s`, actor: null });
      return true;
    case 'escalate':
      state.escalated = true;
      return false;
  }
}

/**
 * Records one of several approvals a step needs; true once it has them all. The run's
 * starter (a person, or the agent driving it) never counts, and nobody counts twice.
 */
function countApproval(draft: Draft, def: CompiledStep, state: RunStep, actor: Actor): boolean {
  const needed = def.approvals_required;
  if (needed <= 1) return true;
  if (actor.id === draft.run.started_by.id) {
    refuse('forbidden', `step "${def.label}" needs ${needed} approvals from people other than whoever started the run`);
  }
  const given = state.approvals.find((a) => a.by.id === actor.id);
  if (given) refuse('conflict', `you already approved step "${def.label}" (${state.approvals.length} of ${needed} approvals so far)`);
  // A new array: the draft's steps are shallow copies, and the run given to transition stays as it was.
  state.approvals = [...state.approvals, { by: actor, at: draft.now }];
  return state.approvals.length >= needed;
}

/**
 * Finishes a rejected step: a gate routing `rejected` goes there; anything else fails, with
 * the step's on_failure policy. `by` decided; `actor` finished the step (in an agent run,
 * the agent that advanced).
 */
function reject(draft: Draft, def: CompiledStep, state: RunStep, how: { notes?: string | null; by: Actor; actor: Actor }): void {
  const notes = how.notes === undefined ? {} : { notes: how.notes };
  if (def.type === 'gate' && def.next_on_outcome && Object.hasOwn(def.next_on_outcome, 'rejected')) {
    completeStep(draft, def, state, { outcome: 'rejected', ...notes, actor: how.actor });
    return;
  }
  state.outcome = 'rejected';
  failStep(draft, def, state, { ...notes, error: `rejected by ${actorName(how.by)}`, actor: how.actor });
}

/**
 * `advance` on a step waiting for an approval: refused until the approval is in. A gate of
 * an `agent` run that has been decided moves on with the decision.
 */
export function advanceAwaitingApproval(draft: Draft, def: CompiledStep, state: RunStep, cmd: Extract<Command, { type: 'advance' }>): void {
  const decision = gateDecision(draft.run, def, state);
  if (!decision) {
    const what = def.type === 'gate' ? 'an approval' : `an approval before its tool ${def.tool} runs`;
    return refuse('awaiting_approval', `step "${def.label}" is waiting for ${what} from ${approversWording(def)}`);
  }
  const { outcome, by } = decision;
  if (cmd.outcome !== undefined && cmd.outcome !== outcome) {
    refuse('validation', `outcome "${cmd.outcome}" does not match the decision on step "${def.label}": ${outcome} by ${actorName(by)}`);
  }
  // The agent's notes, when it gives any, replace the approver's (the audit trail has both).
  const notes = cmd.notes === undefined ? {} : { notes: cmd.notes };
  if (cmd.output !== undefined) state.output = cmd.output;
  if (outcome === 'approved') completeStep(draft, def, state, { outcome, ...notes, actor: cmd.actor });
  else reject(draft, def, state, { ...notes, by, actor: cmd.actor });
}

/** True when an advance on this step must wait for (or follow) an approval. */
export function waitsForApproval(def: CompiledStep, state: RunStep): boolean {
  return def.type === 'gate' || state.awaiting_approval;
}
