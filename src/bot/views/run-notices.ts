// The run message's notices about the run as a whole (reference 001's execution records):
// the device it runs on, a failure banner with the error, whether a rollback ran, and the
// decision on a gate waiting for the agent that drives the run. Each returns mrkdwn with
// everything from the run escaped, or null when there is nothing to say.
import { gateDecision, isTerminal, isToolStep, type CompiledStep, type Run, type RunStep } from '../../engine/index.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { formatActor } from './run-format.js';

const ROLLBACK_REASON_CHARS = 300;
const DECISION_NOTES_CHARS = 300;
const FAILED_HEAD = '🟥 *Failed:* ';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The device a run's tool steps run on, raw (escape it to show it), when the runbook has tool steps; null otherwise. */
export function runDevice(run: Run): string | null {
  return run.device_id !== null && run.runbook.steps.some(isToolStep) ? run.device_id : null;
}

/** True when the run ended badly with an error to show: failed, or rolled back after one. */
export function hasFailureBanner(run: Run): boolean {
  return (run.status === 'failed' || run.status === 'rolled_back') && Boolean(run.error_message);
}

/**
 * `🟥 *Failed:* step "Execute cleanup" failed: …`: why the run failed or rolled back, for a
 * section near the top. Slack has no red background, so a red square and bold.
 */
export function failureBanner(run: Run): string | null {
  if (!hasFailureBanner(run)) return null;
  return FAILED_HEAD + truncate(escapeMrkdwn(run.error_message ?? ''), SLACK_LIMITS.sectionText - FAILED_HEAD.length);
}

/**
 * Whether a rollback ran: `↩️ Rolling back… · <why>` while one is under way, `↩️ Rollback
 * ran: 2 rollback steps in reverse order` once it has, and how far it got when a rollback
 * step failed. Rollback steps that ran are the completed ones: in normal flow they are only
 * passed through, as skipped.
 */
export function rollbackNotice(run: Run): string | null {
  if (run.rollback_queue !== null && !isTerminal(run.status) && run.status !== 'failed') {
    const reason = run.error_message ? ` · ${truncate(escapeMrkdwn(run.error_message), ROLLBACK_REASON_CHARS)}` : '';
    return `↩️ Rolling back…${reason}`;
  }
  if (!run.rollback_executed) return null;
  const rollbackIds = new Set(run.runbook.steps.filter((s) => s.type === 'rollback').map((s) => s.id));
  const ran = run.steps.filter((s) => rollbackIds.has(s.step_id) && s.status === 'completed').length;
  if (run.status === 'failed') return `↩️ Rollback did not finish: ${ran} of ${plural(rollbackIds.size, 'rollback step')} ran`;
  if (rollbackIds.size === 0) return '↩️ Rollback ran: the runbook has no rollback steps';
  return `↩️ Rollback ran: ${plural(ran, 'rollback step')} in reverse order`;
}

/**
 * `✅ Approved by <@U…> — waiting for the agent to continue · <notes>`: a gate of an agent
 * run that a person has decided and the agent has not yet advanced (reference 002); null
 * for any other step.
 */
export function gateDecisionNotice(run: Run, def: CompiledStep, state: RunStep): string | null {
  const decision = gateDecision(run, def, state);
  if (decision === null) return null;
  const verdict = decision.outcome === 'approved' ? '✅ Approved' : '❌ Rejected';
  const notes = state.notes ? ` · ${truncate(escapeMrkdwn(state.notes.replace(/[\r\n]+/g, ' ')), DECISION_NOTES_CHARS)}` : '';
  return `${verdict} by ${formatActor(decision.by)} — waiting for the agent to continue${notes}`;
}
