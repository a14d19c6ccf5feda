// Posted in the run's thread when a step waits for an approver (a gate, or a hybrid `act`
// before its tool runs): it mentions the approvers the definition names, so they are
// notified, which an edit of the run message alone would not do.
import { findStep, type Run } from '../../engine/index.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { formatApproverList, sectionBlock } from './run-format.js';
import type { SlackMessage } from './types.js';

/** Room the approver list leaves for the sentence around it, within a section's text. */
const SENTENCE_CHARS = 600;

/** True when the step is active and waits for an approval that names someone to ask. */
export function needsApproval(run: Run, stepId: string): boolean {
  const step = findStep(run, stepId);
  if (!step || step.state.status !== 'active' || run.status !== 'running') return false;
  return (step.def.type === 'gate' || step.state.awaiting_approval) && step.def.approvers.length > 0;
}

export function buildApprovalRequest(run: Run, stepId: string): SlackMessage {
  const def = findStep(run, stepId)?.def;
  if (!def) throw new Error(`run ${run.id} has no step ${stepId}`);
  const label = truncate(escapeMrkdwn(def.label), 150);
  // Whole mentions only: a list cut inside `<@U…>` would notify nobody and show markup.
  const approvers = formatApproverList(def.approvers, SLACK_LIMITS.sectionText - SENTENCE_CHARS);
  const what = def.type === 'gate' ? `*${label}* needs an approval` : `*${label}* runs \`${escapeMrkdwn(truncate(def.tool ?? 'its tool', 100))}\` once approved`;
  const text = truncate(`:raised_hand: ${what}: ${approvers}. Approve or reject it on the run message.`, SLACK_LIMITS.sectionText);
  return { text: truncate(`${def.label} needs an approval`, SLACK_LIMITS.messageText), blocks: [sectionBlock(text)] };
}

/**
 * Posted in a step's escalation_channel when its approvers did not answer in time: who is
 * asked, for what, and where the run is.
 */
export function buildEscalation(run: Run, stepId: string, runChannel: string): SlackMessage {
  const def = findStep(run, stepId)?.def;
  if (!def) throw new Error(`run ${run.id} has no step ${stepId}`);
  const label = truncate(escapeMrkdwn(def.label), 150);
  const runbook = truncate(escapeMrkdwn(run.runbook.name), 150);
  const approvers = def.approvers.length > 0 ? formatApproverList(def.approvers, SLACK_LIMITS.sectionText - SENTENCE_CHARS * 2) : 'anyone in the channel';
  const waited = def.approval_timeout_seconds ?? 0;
  const text = `:rotating_light: *Escalation:* *${label}* in a run of *${runbook}* (<#${runChannel}>) has waited ${waited} s for an approval from ${approvers}. Approve or reject it on the run message.`;
  return { text: truncate(`Escalation: ${def.label} is waiting for an approval`, SLACK_LIMITS.messageText), blocks: [sectionBlock(truncate(text, SLACK_LIMITS.sectionText))] };
}
