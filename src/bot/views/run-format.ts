// Small formatters shared by every view of a run (the live message, thread replies, App
// Home, lists). Each returns mrkdwn-safe text: anything a user typed is escaped here, and
// the only raw `<...>` sequences produced are mentions and dates built from validated ids
// and numbers.
import type { ContextBlock, DividerBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import type { Actor, RunStatus, StepStatus } from '../../engine/index.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';

const STATUS_LABELS: Readonly<Record<RunStatus, string>> = {
  pending: 'Pending',
  running: 'Running',
  waiting: 'Waiting',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  rolled_back: 'Rolled back',
  cancelled: 'Cancelled',
};

// Unicode emoji rather than :shortcodes: so they also read right in notification text.
const STATUS_EMOJI: Readonly<Record<RunStatus, string>> = {
  pending: '🕓',
  running: '▶️',
  waiting: '⏳',
  paused: '⏸️',
  completed: '✅',
  failed: '❌',
  rolled_back: '↩️',
  cancelled: '🚫',
};

export function statusLabel(status: RunStatus): string {
  return STATUS_LABELS[status];
}

export function statusEmoji(status: RunStatus): string {
  return STATUS_EMOJI[status];
}

/** `▶️ Running`, `↩️ Rolled back`. */
export function formatStatus(status: RunStatus): string {
  return `${statusEmoji(status)} ${statusLabel(status)}`;
}

const STEP_MARKS: Readonly<Record<StepStatus, string>> = {
  completed: '✓',
  skipped: '⏭',
  failed: '✗',
  active: '▶',
  pending: '·',
};

/** One character per step status: ✓ completed, ⏭ skipped, ✗ failed, ▶ active, · pending. */
export function stepMark(status: StepStatus): string {
  return STEP_MARKS[status];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * `4s`, `2m 05s`, `1h 02m`, `3d 04h`: two units at most, the second zero-padded so columns
 * line up. Below a second is `0s`; negative or non-finite input (clock skew) is `0s` too.
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days}d ${pad2(hours)}h`;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(seconds)}s`;
  return `${seconds}s`;
}

/**
 * `▓▓▓▓░░░░░░ 4/10`. The bar rounds down, so it is full only when everything is done and
 * never claims progress that has not happened.
 */
export function progressBar(done: number, total: number, width = 10): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.floor(ratio * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
}

/** Slack user ids (U…, W… for Enterprise Grid): safe to wrap in `<@…>` once they match. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
// Approver ids follow the definition schema (APPROVER_PATTERN), which allows short test ids.
const APPROVER_USER_ID = /^[UW][A-Z0-9]+$/;
const APPROVER_GROUP_ID = /^S[A-Z0-9]+$/;
const APPROVER_API_KEY = /^apikey:([a-z0-9][a-z0-9_-]*)$/;

/**
 * Who did something. A Slack actor with a well-formed user id becomes a mention (Slack
 * shows the current display name); anyone else is their escaped name, or `kind:id`, cut
 * to `maxChars` (a mention is never cut: it is short and must stay whole).
 */
export function formatActor(actor: Actor, maxChars = 80): string {
  if (actor.kind === 'slack' && SLACK_USER_ID.test(actor.id)) return `<@${actor.id}>`;
  const name = actor.name !== undefined && actor.name.trim() !== '' ? actor.name : `${actor.kind}:${actor.id}`;
  return truncate(escapeMrkdwn(name), maxChars);
}

/** Plain text for the same actor (notification text, plain_text fields): no mention syntax. */
export function formatActorPlain(actor: Actor): string {
  if (actor.name !== undefined && actor.name.trim() !== '') return actor.name;
  return actor.kind === 'slack' ? actor.id : `${actor.kind}:${actor.id}`;
}

/**
 * An approver from a definition: a user id becomes `<@U…>`, a user group id
 * `<!subteam^S…>`, an API key (`apikey:NAME`) ``API key `NAME` ``; anything else (the
 * schema should have refused it) is shown escaped.
 */
export function formatApprover(id: string): string {
  if (APPROVER_USER_ID.test(id)) return `<@${id}>`;
  if (APPROVER_GROUP_ID.test(id)) return `<!subteam^${id}>`;
  const apiKey = APPROVER_API_KEY.exec(id)?.[1];
  if (apiKey !== undefined) return `API key ${code(apiKey)}`;
  return escapeMrkdwn(id);
}

/**
 * Approvers joined with ", ", within `maxChars`: whole ones only (a mention cut short would
 * show as text), the rest counted as ` and N more`. A gate may name 50 API keys of 70
 * characters, more than a context line holds.
 */
export function formatApproverList(ids: readonly string[], maxChars: number): string {
  const more = (n: number) => (n > 0 ? ` and ${n} more` : '');
  const reserve = more(ids.length).length;
  let text = '';
  let shown = 0;
  for (const id of ids) {
    const next = shown === 0 ? formatApprover(id) : `${text}, ${formatApprover(id)}`;
    if (next.length + (shown + 1 < ids.length ? reserve : 0) > maxChars) break;
    text = next;
    shown += 1;
  }
  return `${text}${more(ids.length - shown)}`;
}

/** `2026-11-22 12:00 UTC`: what clients that cannot render a date token show instead. */
function fallbackDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A Slack date token for a unix-ms time, shown in each reader's own time zone:
 * `<!date^1795348800^{date_short_pretty} at {time}|2026-11-22 12:00 UTC>`.
 * `format` is ours, never user text: a `|` or `>` in it would end the token early.
 */
export function slackDate(ms: number, format = '{date_short_pretty} at {time}'): string {
  // Date covers ±8.64e15 ms; beyond that toISOString throws.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'unknown time';
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallbackDate(ms)}>`;
}

// ---- block helpers ---------------------------------------------------------------
// verbatim: true stops Slack's automatic parsing of plain text (a typed `@channel`, a
// channel name) while keeping formatting and the manual `<@U…>`/`<!date^…>` strings we
// generate: together with escaping, user text can neither ping nor link.

export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function plainText(text: string): PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

export function sectionBlock(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

export function contextBlock(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.map(mrkdwn) };
}

export const DIVIDER: DividerBlock = { type: 'divider' };
