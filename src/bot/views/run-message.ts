// The one live message per run: posted where the run started and re-rendered with
// chat.update after every change, from the run alone (DESIGN §1). Pure: the time comes in
// `opts.now`. Every size is bounded by construction (see the budgets below), so any run the
// engine can produce fits Slack's limits; the view tests check that on extreme runs.
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { resolvePlaceholders } from '../../engine/definition/index.js';
import {
  COMMAND_ALLOWED_FROM,
  LOOP_GUARD_ERROR,
  computeProgress,
  currentStep,
  findStep,
  gateDecision,
  isTerminal,
  isToolStep,
  placeholderValues,
  runsTool,
  type CommandType,
  type CompiledStep,
  type Run,
  type RunStep,
} from '../../engine/index.js';
import { encodeRunActionValue, type RunActionValue } from '../action-value.js';
import { ActionId } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import {
  DIVIDER,
  contextBlock,
  formatActor,
  formatApproverList,
  formatDuration,
  formatStatus,
  plainText,
  progressBar,
  sectionBlock,
  slackDate,
  statusEmoji,
  statusLabel,
  stepMark,
} from './run-format.js';
import { historyTexts } from './run-history.js';
import { failureBanner, gateDecisionNotice, hasFailureBanner, rollbackNotice, runDevice } from './run-notices.js';
import { ranTool, toolCallText, verifyResultText } from './tool-result.js';
import type { SlackMessage } from './types.js';

/** Ends an instruction too long for the message; the caller posts it whole in the thread. */
export const INSTRUCTION_CUT_MARKER = '… (full text in thread)';
/** Finished steps listed one per line; older ones fold into one summary line. */
export { HISTORY_LINES } from './run-history.js';
/** Outcome buttons shown at most (two actions blocks with the run buttons). */
export const MAX_OUTCOME_BUTTONS = 40;

// Budgets for one piece of user text in one line, after escaping.
const LABEL_CHARS = 150;
const VARIABLE_LINE_CHARS = 400;
const TEXT_PART_CHARS = 100;
const DEVICE_CHARS = 100;
const APPROVERS_CHARS = 2000;

/**
 * Slack wants action_ids unique within a block, so each outcome button gets its own:
 * `run_outcome:pass`. Listeners match OUTCOME_ACTION_ID_PATTERN and read the outcome from
 * the value's `o`, not from the id.
 */
export function outcomeActionId(outcome: string): string {
  return `${ActionId.Outcome}:${outcome}`;
}
export const OUTCOME_ACTION_ID_PATTERN = new RegExp(`^${ActionId.Outcome}(:.*)?$`);

export interface RunMessageOptions {
  /** Unix ms; used for "so far" durations only. */
  now: number;
  /** The run's device has a runner online: a tool step of a `human` runbook offers Run tool then. */
  deviceOnline?: boolean;
}

export function buildRunMessage(run: Run, opts: RunMessageOptions): SlackMessage {
  const cur = currentStep(run);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(truncate(`${statusEmoji(run.status)} ${run.runbook.name}`, SLACK_LIMITS.headerText)) },
    contextBlock(summaryLine(run, opts.now)),
  ];
  const banner = failureBanner(run);
  if (banner !== null) blocks.push(sectionBlock(banner));
  const rollback = rollbackNotice(run);
  if (rollback !== null) blocks.push(contextBlock(rollback));
  const variables = variablesText(run);
  if (variables !== null) blocks.push(sectionBlock(variables));
  blocks.push(contextBlock(progressLine(run)), DIVIDER);
  if (cur && !isTerminal(run.status)) {
    blocks.push(sectionBlock(stepText(run, cur.def, cur.state).text));
    const line = stepStatusLine(run, cur.def, cur.state, opts.now);
    if (line !== null) blocks.push(contextBlock(line));
  }
  if (isTerminal(run.status) || run.status === 'failed') blocks.push(sectionBlock(endText(run)));
  blocks.push(...actionsBlocks(run, opts));
  const history = historyTexts(run);
  if (history.length > 0) blocks.push(DIVIDER, ...history.map(sectionBlock));
  return { text: fallbackText(run), blocks };
}

/** True when the message shows the step's instruction cut: post it whole in the thread. */
export function isInstructionCut(run: Run, stepId: string): boolean {
  const step = findStep(run, stepId);
  return step !== null && stepText(run, step.def, step.state).cut;
}

// ---- text ---------------------------------------------------------------------------

function fallbackText(run: Run): string {
  const name = truncate(escapeMrkdwn(run.runbook.name), TEXT_PART_CHARS);
  const status = statusLabel(run.status).toLowerCase();
  const cur = currentStep(run);
  if (hasFailureBanner(run)) return `${name} — ${status}: ${truncate(escapeMrkdwn(run.error_message ?? ''), TEXT_PART_CHARS * 2)}`;
  if (!cur || isTerminal(run.status)) return `${name} — ${status}`;
  const label = truncate(escapeMrkdwn(cur.def.label), TEXT_PART_CHARS);
  return `${name} — step ${cur.def.position}/${run.runbook.steps.length}: ${label} (${status})`;
}

function summaryLine(run: Run, now: number): string {
  const parts = [`v${run.runbook.version}`, code(run.id), `started by ${formatActor(run.started_by)}`];
  if (run.started_at !== null) parts.push(slackDate(run.started_at));
  const device = runDevice(run);
  if (device !== null) parts.push(`🖥️ ${truncate(escapeMrkdwn(device), DEVICE_CHARS)}`);
  if (run.trigger.source !== 'manual') parts.push(`triggered by ${run.trigger.source}`);
  parts.push(`*${formatStatus(run.status)}*`);
  if (run.started_at !== null && run.completed_at === null) parts.push(`${formatDuration(now - run.started_at)} so far`);
  return parts.join(' · ');
}

/** Each value gets an equal share of one section, so 20 values at their longest still fit. */
function variablesText(run: Run): string | null {
  const entries = Object.entries(run.variables);
  if (entries.length === 0) return null;
  const title = '*Variables*';
  const share = Math.floor((SLACK_LIMITS.sectionText - title.length) / entries.length) - 1;
  const lineChars = Math.min(VARIABLE_LINE_CHARS, share);
  const lines = entries.map(([name, value]) => {
    const shown = value.trim() === '' ? '_(empty)_' : escapeMrkdwn(value.replace(/[\r\n]+/g, ' '));
    return truncate(`${code(name)} ${shown}`, lineChars);
  });
  return truncate([title, ...lines].join('\n'), SLACK_LIMITS.sectionText);
}

/** Done counts every finished step (completed + skipped + failed), so a finished run shows full. */
function progressLine(run: Run): string {
  const p = computeProgress(run);
  const done = p.completed + p.skipped + p.failed;
  return `*Progress* ${progressBar(done, p.total_steps)} · ✓ ${p.completed}  ⏭ ${p.skipped}  ✗ ${p.failed}`;
}

function stepText(run: Run, def: CompiledStep, state: RunStep): { text: string; cut: boolean } {
  const label = truncate(escapeMrkdwn(def.label), LABEL_CHARS);
  const visits = state.visits > 1 ? ` (visit ${state.visits})` : '';
  const heading = `*${stepMark(state.status)} Step ${def.position}/${run.runbook.steps.length} · ${label}*${visits}`;
  const instruction = resolvePlaceholders(def.instruction, placeholderValues(run));
  if (instruction.trim() === '') return { text: heading, cut: false };
  const escaped = escapeMrkdwn(instruction);
  const budget = SLACK_LIMITS.sectionText - heading.length - 1;
  return { text: `${heading}\n${truncate(escaped, budget, INSTRUCTION_CUT_MARKER)}`, cut: escaped.length > budget };
}

function approversText(def: CompiledStep, state: RunStep): string {
  const who = def.approvers.length === 0 ? 'anyone' : formatApproverList(def.approvers, APPROVERS_CHARS);
  const needed = def.approvals_required;
  if (needed <= 1) return def.allow_self_approval ? who : `${who} (not the person who started the run)`;
  // Each approval shows as it comes.
  const given = state.approvals.map((a) => formatActor(a.by)).join(', ');
  return `${needed} of ${who} (not the person who started the run) · ${state.approvals.length} of ${needed} so far${given ? `: ${given}` : ''}`;
}

/** What the step is waiting for, when that is not a person pressing Done. */
function stepStatusLine(run: Run, def: CompiledStep, state: RunStep, now: number): string | null {
  const tool = code(def.tool ?? '');
  const wait = run.wait;
  if (run.status === 'paused') {
    const due = wait ? ` — was due ${slackDate(wait.due_at)}` : '';
    const held = state.held_result ? ' · a tool result arrived and is applied on resume' : '';
    return `⏸️ Paused${due}${held}`;
  }
  if (wait && (run.status === 'running' || run.status === 'waiting')) {
    if (wait.kind === 'wait') return `⏳ Waiting until ${slackDate(wait.due_at)}`;
    const notes = state.notes ? ` · ${truncate(escapeMrkdwn(state.notes), 300)}` : '';
    return `⏳ Next try of ${tool} ${slackDate(wait.due_at)}${notes}`;
  }
  if (run.status === 'failed' && state.status === 'failed') return failedToolLine(run, def, state);
  if (run.status !== 'running' || state.status !== 'active') return null;
  const decided = gateDecisionNotice(run, def, state);
  if (decided !== null) return decided;
  const escalated = state.escalated && def.escalation_channel ? ` · escalated to <#${def.escalation_channel}>` : '';
  if (def.type === 'gate') return `🔐 Needs approval from ${approversText(def, state)}${escalated}`;
  if (state.awaiting_approval) return `🔐 Approve running tool ${tool}: ${approversText(def, state)}${escalated}`;
  if (runsTool(run, def)) {
    const since = state.started_at === null ? '' : ` (${formatDuration(now - state.started_at)} so far)`;
    return `⚙️ Running tool ${tool}…${since}`;
  }
  return personToolLine(def, state);
}

/** A tool a person ran on a step of a `human` runbook: under way, or what it answered. */
function personToolLine(def: CompiledStep, state: RunStep): string | null {
  if (!isToolStep(def) || state.tool_tries === 0) return null;
  const tool = code(def.tool ?? '');
  if (state.tool_running) return `⚙️ Running tool ${tool}…`;
  if (state.error !== null) return `✗ ${tool} failed: ${truncate(escapeMrkdwn(state.error), 500)}`;
  const verdict = def.type === 'verify' && state.notes ? ` · ${truncate(escapeMrkdwn(state.notes), 300)}` : '';
  return `✓ Ran ${tool}: ${code(truncate(JSON.stringify(state.tool_output), 500))}${verdict}`;
}

/** What the tool of the step that failed the run did; the failure banner has the error. */
function failedToolLine(run: Run, def: CompiledStep, state: RunStep): string | null {
  if (!ranTool(def, state)) return null;
  const parts = [`Ran ${toolCallText(def, state)}`];
  const verify = verifyResultText(run, def, state);
  if (verify !== null) parts.push(verify);
  if (state.duration_ms !== null) parts.push(formatDuration(state.duration_ms));
  return parts.join(' · ');
}

function endText(run: Run): string {
  const took = run.started_at !== null && run.completed_at !== null ? formatDuration(run.completed_at - run.started_at) : null;
  const verb = run.status === 'completed' ? 'in' : 'after';
  const head = `${statusEmoji(run.status)} *${statusLabel(run.status)}*${took ? ` ${verb} ${took}` : ''}`;
  // The failure banner above already says why.
  if (!run.error_message || hasFailureBanner(run)) return head;
  const budget = SLACK_LIMITS.sectionText - head.length - 1;
  return `${head}\n${truncate(escapeMrkdwn(run.error_message), budget)}`;
}

// ---- buttons ------------------------------------------------------------------------

interface Choice {
  command: CommandType;
  button: Button;
}

function choice(command: CommandType, actionId: string, label: string, value: RunActionValue, style?: 'primary' | 'danger'): Choice {
  const button: Button = {
    type: 'button',
    action_id: actionId,
    text: plainText(truncate(label, SLACK_LIMITS.buttonText)),
    value: encodeRunActionValue(value),
  };
  if (style) button.style = style;
  return { command, button };
}

function outcomeChoices(outcomes: string[], value: RunActionValue): Choice[] {
  const unique = [...new Set(outcomes)].slice(0, MAX_OUTCOME_BUTTONS);
  return unique.map((o) => choice('advance', outcomeActionId(o), o, { ...value, o }, o === 'pass' ? 'primary' : undefined));
}

/** The buttons that finish the active step; none while a tool or a timer is doing it. */
function stepChoices(run: Run, def: CompiledStep, state: RunStep, value: RunActionValue, opts: RunMessageOptions): Choice[] {
  if (run.status !== 'running' || state.status !== 'active' || run.wait !== null) return [];
  const runTool = isToolStep(def) && !runsTool(run, def) && opts.deviceOnline === true && !state.tool_running
    ? [choice('run_tool', ActionId.RunTool, 'Run tool', value)]
    : [];
  const routed = Object.keys(def.next_on_outcome ?? {});
  // A decided gate of an agent run waits for the agent's advance: nothing to press.
  if (gateDecision(run, def, state) !== null) return [];
  if (def.type === 'gate' || state.awaiting_approval) {
    return [
      choice('approve', ActionId.Approve, 'Approve', value, 'primary'),
      choice('reject', ActionId.Reject, 'Reject', value, 'danger'),
    ];
  }
  if (runsTool(run, def) || def.type === 'wait') return [];
  if (def.type === 'branch') return outcomeChoices(routed, value);
  // A check's own outcomes come first; routed extras (e.g. `abort`) follow.
  if (def.type === 'check') return outcomeChoices(['pass', 'fail', ...routed], value);
  // `done` is the default outcome: an action routing other outcomes still needs its Done.
  const done = choice('advance', ActionId.Done, 'Done', value, 'primary');
  return [done, ...runTool, ...outcomeChoices(routed.filter((o) => o !== 'done'), value)];
}

function runChoices(run: Run, cur: { def: CompiledStep; state: RunStep } | null, value: RunActionValue): Choice[] {
  const active = cur !== null && cur.state.status === 'active';
  const choices: Choice[] = [];
  if (active && !cur.def.required) choices.push(choice('skip', ActionId.Skip, 'Skip', value));
  if (active && run.wait === null) choices.push(choice('fail', ActionId.Fail, 'Fail', value));
  choices.push(choice('pause', ActionId.Pause, 'Pause', value));
  choices.push(choice('resume', ActionId.Resume, 'Resume', value, 'primary'));
  if (run.error_message !== LOOP_GUARD_ERROR) choices.push(choice('retry', ActionId.Retry, 'Retry', value, 'primary'));
  const cancel = choice('cancel', ActionId.Cancel, 'Cancel', value, 'danger');
  cancel.button.confirm = {
    title: plainText('Cancel this run?'),
    text: plainText('The run stops and its remaining steps are skipped. This cannot be undone.'),
    confirm: plainText('Cancel run'),
    deny: plainText('Keep it'),
    style: 'danger',
  };
  choices.push(cancel);
  return choices;
}

/**
 * Every button, filtered by COMMAND_ALLOWED_FROM: a button the engine would refuse in the
 * run's status is never shown, so the view follows the engine's rules as they change.
 */
function actionsBlocks(run: Run, opts: RunMessageOptions): ActionsBlock[] {
  if (isTerminal(run.status)) return [];
  const cur = currentStep(run);
  const value: RunActionValue = cur ? { r: run.id, s: cur.def.id, v: cur.state.visit } : { r: run.id };
  const step = cur ? stepChoices(run, cur.def, cur.state, value, opts) : [];
  const buttons = [...step, ...runChoices(run, cur, value)]
    .filter((c) => COMMAND_ALLOWED_FROM[c.command].includes(run.status))
    .map((c) => c.button);
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsElements) {
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + SLACK_LIMITS.actionsElements) });
  }
  return blocks;
}
