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
