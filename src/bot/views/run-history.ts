// The run message's history: one compact line per finished step (mark, label, who, the tool
// it ran and a verify step's result, outcome or error, duration), older steps folded into
// one count, packed into as few sections as Slack allows.
import type { Run, RunStep } from '../../engine/index.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { formatActor, formatDuration, stepMark } from './run-format.js';
import { ranTool, toolCallText, verifyResultText } from './tool-result.js';

/** Finished steps listed one per line; older ones fold into one summary line. */
export const HISTORY_LINES = 15;

// Budgets for one piece of user text in one line, after escaping.
const HISTORY_LABEL_CHARS = 100;
const HISTORY_NOTE_CHARS = 100;

const FINISHED = new Set(['completed', 'skipped', 'failed']);

/**
 * Finished steps, oldest first by their latest visit; the current step is shown above, and
 * steps never reached (skipped when the run ended) are one count, not one line each.
 */
export function historyTexts(run: Run): string[] {
  const finished = run.steps
    .filter((s) => FINISHED.has(s.status) && s.visits > 0 && s.step_id !== run.current_step_id)
    .sort((a, b) => a.visit - b.visit);
  const hidden = finished.slice(0, Math.max(0, finished.length - HISTORY_LINES));
  const lines: string[] = [];
  if (hidden.length > 0) lines.push(foldedLine(hidden));
  lines.push(...finished.slice(hidden.length).map((state) => historyLine(run, state)));
  const unreached = run.steps.filter((s) => s.status === 'skipped' && s.visits === 0).length;
  if (unreached > 0) lines.push(`⏭ ${unreached} step${unreached === 1 ? '' : 's'} not reached`);
  return packLines(lines, SLACK_LIMITS.sectionText);
}

function foldedLine(states: RunStep[]): string {
  const count = (status: string) => states.filter((s) => s.status === status).length;
  const n = states.length;
  return `… ${n} earlier step${n === 1 ? '' : 's'}: ${count('completed')} ✓, ${count('skipped')} ⏭, ${count('failed')} ✗`;
}

function historyLine(run: Run, state: RunStep): string {
  const def = run.runbook.steps.find((s) => s.id === state.step_id);
  const label = truncate(escapeMrkdwn(def?.label ?? state.step_id), HISTORY_LABEL_CHARS);
  const parts = [`${stepMark(state.status)} *${def?.position ?? '?'}. ${label}*${state.visits > 1 ? ` ×${state.visits}` : ''}`];
  if (state.actor) parts.push(formatActor(state.actor, 40));
  if (def && ranTool(def, state)) parts.push(toolCallText(def, state));
  const verify = def ? verifyResultText(run, def, state) : null;
  // The verify result says what pass or fail meant, so it stands for the outcome, and for
  // the error of a failed verify, which says the same in words.
  if (verify !== null) parts.push(verify);
  else if (state.outcome && state.outcome !== 'done') {
    // A gate of an agent run: who decided, as well as who (the agent) moved on.
    const decided = state.decided_by ? ` by ${formatActor(state.decided_by, 40)}` : '';
    parts.push(code(truncate(state.outcome, HISTORY_NOTE_CHARS)) + decided);
  }
  const verifyFailed = verify !== null && state.outcome === 'fail';
  const note = state.status === 'failed' && !verifyFailed ? state.error : state.status === 'skipped' ? state.notes : null;
  if (note) parts.push(truncate(escapeMrkdwn(note.replace(/[\r\n]+/g, ' ')), HISTORY_NOTE_CHARS));
  if (state.duration_ms !== null) parts.push(formatDuration(state.duration_ms));
  return parts.join(' · ');
}

/** Joins lines into as few texts of at most `max` characters as possible. */
function packLines(lines: string[], max: number): string[] {
  const texts: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (current !== '' && current.length + 1 + line.length > max) {
      texts.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') texts.push(current);
  return texts;
}
