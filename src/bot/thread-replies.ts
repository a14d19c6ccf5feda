// What a run's thread should hold: one reply per finished step visit (the trail people
// read), a step's full instruction when the message had to cut it, a request that
// mentions a gate's approvers, and a reminder at half a step's timeout. Each has a key so it is posted once (RunMessageLocation.reported).
import type { Run, RunStep } from '../engine/index.js';
import type { RunMessageLocation } from '../models/run-message-store.js';
import { buildApprovalRequest, buildEscalation, needsApproval } from './views/approval-request.js';
import { isInstructionCut } from './views/run-message.js';
import { buildInstructionReply, buildReminderReply, buildStepReply } from './views/step-reply.js';
import type { SlackMessage } from './views/types.js';

export interface ThreadReply {
  key: string;
  /** Posted in this channel instead of the run's thread (an escalation). */
  channel?: string;
  /** Order in the thread: when the step finished, then its visit. */
  at: number;
  visit: number;
  message: SlackMessage;
}

const FINISHED: ReadonlySet<RunStep['status']> = new Set(['completed', 'skipped', 'failed']);
const visitKey = (step: RunStep) => `${step.step_id}#${step.visit}`;

/** Step visits that finished (steps a finished run never reached have visit 0: nothing to tell). */
function finishedVisits(run: Run): RunStep[] {
  return run.steps.filter((s) => FINISHED.has(s.status) && s.visit > 0);
}

function stepReply(run: Run, step: RunStep): ThreadReply {
  return { key: visitKey(step), at: step.completed_at ?? run.updated_at, visit: step.visit, message: buildStepReply(run, step.step_id) };
}

/**
 * Replies for the steps this state's transition finished, built now: a run state keeps only
 * a step's latest visit, so a step finished twice before the next render (a loop, clicks
 * faster than Slack) would otherwise lose its first reply.
 */
export function repliesFinishedBy(run: Run): ThreadReply[] {
  return finishedVisits(run)
    .filter((s) => s.completed_at !== null && s.completed_at >= run.updated_at)
    .map((s) => stepReply(run, s));
}

/** Everything the thread still lacks, given replies captured from earlier states, in thread order. */
export function missingReplies(run: Run, location: Pick<RunMessageLocation, 'reported' | 'channel'>, captured: Iterable<ThreadReply> = []): ThreadReply[] {
  const reported = new Set(location.reported);
  const byKey = new Map<string, ThreadReply>();
  for (const reply of captured) if (!reported.has(reply.key)) byKey.set(reply.key, reply);
  for (const step of finishedVisits(run)) {
    if (!reported.has(visitKey(step)) && !byKey.has(visitKey(step))) byKey.set(visitKey(step), stepReply(run, step));
  }
  const replies = [...byKey.values()].sort((a, b) => a.at - b.at || a.visit - b.visit);
  return [...replies, ...currentStepNotes(run, reported, location.channel)];
}

/** The current step's full instruction (when cut), its approval request and its half-time reminder, once per visit each. */
function currentStepNotes(run: Run, reported: ReadonlySet<string>, runChannel: string): ThreadReply[] {
  const step = run.steps.find((s) => s.step_id === run.current_step_id && s.status === 'active');
  if (!step) return [];
  const def = run.runbook.steps.find((d) => d.id === step.step_id);
  const escalation: ThreadReply[] =
    step.escalated && def?.escalation_channel && !reported.has(`${visitKey(step)}#escalation`)
      ? [{ key: `${visitKey(step)}#escalation`, channel: def.escalation_channel, at: run.updated_at, visit: step.visit, message: buildEscalation(run, step.step_id, runChannel) }]
      : [];
  const notes = [
    { key: `${visitKey(step)}#instruction`, due: isInstructionCut(run, step.step_id), build: () => buildInstructionReply(run, step.step_id) },
    { key: `${visitKey(step)}#approval`, due: needsApproval(run, step.step_id), build: () => buildApprovalRequest(run, step.step_id) },
    { key: `${visitKey(step)}#reminder`, due: step.reminded, build: () => buildReminderReply(run, step.step_id) },
  ];
  return [...notes.filter((n) => n.due && !reported.has(n.key)).map((n) => ({ key: n.key, at: run.updated_at, visit: step.visit, message: n.build() })), ...escalation];
}
