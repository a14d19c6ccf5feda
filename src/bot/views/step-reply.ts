// Thread replies under the run message: one per finished step, the audit trail people read
// later, and the full text of an instruction the run message had to cut. Everything a
// person, an agent or a tool wrote is escaped; JSON is shown compactly in code blocks.
import type { KnownBlock } from '@slack/types';
import { resolvePlaceholders } from '../../engine/definition/index.js';
import { findStep, placeholderValues, type CompiledStep, type JsonValue, type Run, type RunStep, type StepStatus } from '../../engine/index.js';
import { SLACK_LIMITS } from './limits.js';
import { code, codeBlock, escapeMrkdwn, splitText, truncate } from './mrkdwn.js';
import {
  contextBlock,
  formatActor,
  formatActorPlain,
  formatDuration,
  sectionBlock,
  slackDate,
  stepMark,
} from './run-format.js';
import { verifyResultText } from './tool-result.js';
import type { SlackMessage } from './types.js';

const STATUS_WORDS: Readonly<Record<StepStatus, string>> = {
  completed: 'completed',
  skipped: 'skipped',
  failed: 'failed',
  active: 'in progress',
  pending: 'not started',
};

const LABEL_CHARS = 150;
const TEXT_PART_CHARS = 100;
/** Sections for the full instruction; the heading takes one block of the 50. */
const MAX_INSTRUCTION_SECTIONS = 40;

function find(run: Run, stepId: string): { def: CompiledStep; state: RunStep } {
  const step = findStep(run, stepId);
  if (!step) throw new Error(`run ${run.id} has no step ${stepId}`);
  return step;
}

function heading(run: Run, def: CompiledStep, state: RunStep): string {
  const label = truncate(escapeMrkdwn(def.label), LABEL_CHARS);
  const visit = state.visits > 1 ? ` (visit ${state.visits})` : '';
  return `${stepMark(state.status)} *Step ${def.position}/${run.runbook.steps.length} · ${label}* ${STATUS_WORDS[state.status]}${visit}`;
}

/** A titled section whose body is cut so the whole stays within one section. */
function titled(title: string, escapedBody: string): KnownBlock {
  const budget = SLACK_LIMITS.sectionText - title.length - 1;
  return sectionBlock(`${title}\n${truncate(escapedBody, budget)}`);
}

/** A titled code block: strings as they are, anything else as one line of JSON. */
function jsonSection(title: string, value: JsonValue): KnownBlock {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return sectionBlock(`${title}\n${codeBlock(escapeMrkdwn(raw), SLACK_LIMITS.sectionText - title.length - 1)}`);
}

const present = (value: JsonValue | undefined): value is JsonValue =>
  value !== null && value !== undefined && !(typeof value === 'string' && value === '');

function detailLine(state: RunStep): string | null {
  const parts: string[] = [];
  if (state.actor) parts.push(`by ${formatActor(state.actor)}`);
  if (state.outcome) parts.push(`outcome ${code(truncate(state.outcome, TEXT_PART_CHARS))}`);
  if (state.duration_ms !== null) parts.push(`took ${formatDuration(state.duration_ms)}`);
  if (state.completed_at !== null) parts.push(slackDate(state.completed_at));
  return parts.length > 0 ? parts.join(' · ') : null;
}

function fallbackText(def: CompiledStep, state: RunStep): string {
  const label = truncate(escapeMrkdwn(def.label), TEXT_PART_CHARS);
  const by = state.actor ? ` by ${truncate(escapeMrkdwn(formatActorPlain(state.actor)), TEXT_PART_CHARS)}` : '';
  const took = state.duration_ms !== null ? ` (${formatDuration(state.duration_ms)})` : '';
  return `${stepMark(state.status)} ${label} — ${STATUS_WORDS[state.status]}${by}${took}`;
}

/**
 * The reply posted when a step finishes: who, outcome, notes, output, a verify step's
 * result, the tool call and any error. At most nine blocks, each cut to fit, so it always
 * posts.
 */
export function buildStepReply(run: Run, stepId: string): SlackMessage {
  const { def, state } = find(run, stepId);
  const blocks: KnownBlock[] = [sectionBlock(heading(run, def, state))];
  const details = detailLine(state);
  if (details !== null) blocks.push(contextBlock(details));
  if (state.notes) blocks.push(titled('*Notes*', escapeMrkdwn(state.notes)));
  if (present(state.output)) blocks.push(jsonSection('*Output*', state.output));
  const verify = verifyResultText(run, def, state);
  if (verify !== null) blocks.push(sectionBlock(`*Result* ${verify}`));
  if (def.tool !== null && (state.tool_input !== null || present(state.tool_output))) {
    blocks.push(sectionBlock(`*Tool* ${code(def.tool)}`));
    if (state.tool_input !== null) blocks.push(jsonSection('*Tool input*', state.tool_input));
    if (present(state.tool_output)) blocks.push(jsonSection('*Tool output*', state.tool_output));
  }
  if (state.error) blocks.push(titled('*Error*', escapeMrkdwn(state.error)));
  return { text: fallbackText(def, state), blocks };
}

/**
 * The whole instruction of a step, variables resolved, over as many sections as it needs:
 * posted in the thread when the run message shows it cut (see isInstructionCut).
 */
export function buildInstructionReply(run: Run, stepId: string): SlackMessage {
  const { def } = find(run, stepId);
  const label = truncate(escapeMrkdwn(def.label), LABEL_CHARS);
  const escaped = escapeMrkdwn(resolvePlaceholders(def.instruction, placeholderValues(run)));
  // Placeholders can blow an instruction up far past 5,000 characters; keep what fits.
  // splitText's pieces are at least 3/4 full, so this many characters fill at most the cap.
  const max = Math.floor(SLACK_LIMITS.sectionText * 0.75) * MAX_INSTRUCTION_SECTIONS;
  const pieces = splitText(truncate(escaped, max, '… (cut: too long for Slack)'), SLACK_LIMITS.sectionText);
  const blocks: KnownBlock[] = [sectionBlock(`*Full instruction · Step ${def.position} · ${label}*`)];
  for (const piece of pieces) if (piece.trim() !== '') blocks.push(sectionBlock(piece));
  return { text: `Full instruction: ${label}`, blocks };
}

/** `⏰ Half the time for "Check staging" is gone: it times out at …`, once per visit, at half its timeout_seconds. */
export function buildReminderReply(run: Run, stepId: string): SlackMessage {
  const { def, state } = find(run, stepId);
  const label = truncate(escapeMrkdwn(def.label), LABEL_CHARS);
  const timeout = run.timers.find((t) => t.kind === 'step_timeout' && t.step_id === stepId && t.visit === state.visit);
  const when = timeout ? `it times out ${slackDate(timeout.due_at)}` : `it times out after ${def.timeout_seconds ?? 0} s`;
  return {
    text: `Half the time for ${label} is gone`,
    blocks: [sectionBlock(`⏰ Half the time for *Step ${def.position} · ${label}* is gone: ${when}, and then it fails.`)],
  };
}
