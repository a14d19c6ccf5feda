// App Home: published runbooks with a Start button, the user's runs in flight and recent
// runs. A view holds 100 blocks whatever the list sizes, so each list is capped and says
// how many it left out.
import { z } from 'zod';

import type { RunSummary } from '../../models/run-store.js';
import type { RunbookRecord } from '../../models/runbook-records.js';
import { ActionId, SLASH_COMMAND } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { contextBlock, DIVIDER, formatActor, formatDuration, formatStatus, plainText, sectionBlock } from './run-format.js';
import { runTiming, runTitle } from './run-list.js';
import type { HomeView, KnownBlock } from './types.js';

/** The Start button's value: which runbook to open the inputs modal for. */
export const StartRunbookValue = z.strictObject({
  rb: z.string().regex(/^rnb_[A-Za-z0-9]{1,64}$/, { error: 'must be a runbook id' }),
});
export type StartRunbookValue = z.infer<typeof StartRunbookValue>;

export function encodeStartRunbookValue(value: StartRunbookValue): string {
  return JSON.stringify(value);
}

/** Parses a Start button value; throws a ZodError (or SyntaxError) on anything else. */
export function decodeStartRunbookValue(raw: string): StartRunbookValue {
  return StartRunbookValue.parse(JSON.parse(raw));
}

/** Per-list caps: 3 headers + 2 dividers + 3 lists × (cap + 1 "more" line) stays under 100. */
export const HOME_MAX_SHOWN = { runbooks: 40, activeRuns: 20, recentRuns: 20 } as const;
const DESCRIPTION_CHARS = 200;
const SLACK_PERMALINK = /^https:\/\/[^\s<>|]+$/;
/** Block Kit's limit for a button's accessibility_label (not in SLACK_LIMITS yet). */
const ACCESSIBILITY_LABEL_CHARS = 75;

function header(text: string): KnownBlock {
  return { type: 'header', text: plainText(text) };
}

function section(text: string): KnownBlock {
  return sectionBlock(truncate(text, SLACK_LIMITS.sectionText));
}

/** Caps a list and adds "… and N more" (plus where to see the rest) when it cut. */
function capped<T>(items: T[], max: number, render: (item: T) => KnownBlock, rest: string): KnownBlock[] {
  const blocks = items.slice(0, max).map(render);
  if (items.length > max) blocks.push(contextBlock(`… and ${items.length - max} more. ${rest}`));
  return blocks;
}

function runbookBlock(rb: RunbookRecord): KnownBlock {
  const lines = [`*${truncate(escapeMrkdwn(rb.name), 300)}* · v${rb.published_version}`];
  const description = rb.description.trim().replace(/\s+/g, ' ');
  if (description !== '') lines.push(truncate(escapeMrkdwn(description), DESCRIPTION_CHARS));
  return {
    ...sectionBlock(truncate(lines.join('\n'), SLACK_LIMITS.sectionText)),
    accessory: {
      type: 'button',
      action_id: ActionId.StartRunbook,
      text: plainText('Start'),
      value: encodeStartRunbookValue({ rb: rb.id }),
      // The runbook name is author text: plain_text needs no escaping, only a length cut.
      accessibility_label: truncate(`Start ${rb.name}`, ACCESSIBILITY_LABEL_CHARS),
    },
  };
}

function activeRunBlock(run: RunSummary & { permalink: string | null }, now: number): KnownBlock {
  // The permalink comes from Slack's chat.getPermalink; still, anything that could break
  // out of the <url|label> link syntax is left out rather than rendered.
  const link = run.permalink !== null && SLACK_PERMALINK.test(run.permalink) ? ` · <${run.permalink}|Open>` : '';
  return section(`${runTitle(run)} · ${formatStatus(run.status)}\n${runTiming(run, now)}${link}`);
}

function recentRunBlock(run: RunSummary, now: number): KnownBlock {
  const ended = run.completed_at === null ? runTiming(run, now) : `took ${formatDuration(run.completed_at - run.created_at)}`;
  return section(`${runTitle(run)} · ${formatStatus(run.status)}\nStarted by ${formatActor(run.started_by)} · ${ended}`);
}

export function buildHome(input: {
  userId: string;
  runbooks: RunbookRecord[];
  activeRuns: Array<RunSummary & { permalink: string | null }>;
  recentRuns: RunSummary[];
  now: number;
}): HomeView {
  // Only published runbooks start runs (DESIGN §3); the caller may hand over any.
  const startable = input.runbooks.filter((rb) => rb.status === 'published' && rb.published_version !== null);
  const you = formatActor({ kind: 'slack', id: input.userId });
  const blocks: KnownBlock[] = [header('Runbooks')];
  if (startable.length === 0) {
    blocks.push(section(`No published runbooks yet — import one with ${code('runbook-bot import --publish FILE')}.`));
  } else {
    blocks.push(...capped(startable, HOME_MAX_SHOWN.runbooks, runbookBlock, `Find one with ${code(`${SLASH_COMMAND} list TEXT`)}.`));
  }

  blocks.push(DIVIDER, header('Your active runs'));
  if (input.activeRuns.length === 0) {
    blocks.push(section(`No runs in flight for ${you}. Press *Start* above, or type ${code(`${SLASH_COMMAND} start NAME`)}.`));
  } else {
    const rest = `Every active run: ${code(`${SLASH_COMMAND} runs active`)}.`;
    blocks.push(...capped(input.activeRuns, HOME_MAX_SHOWN.activeRuns, (run) => activeRunBlock(run, input.now), rest));
  }

  blocks.push(DIVIDER, header('Recent runs'));
  if (input.recentRuns.length === 0) {
    blocks.push(section('No runs yet.'));
  } else {
    const rest = `See more with ${code(`${SLASH_COMMAND} runs`)}.`;
    blocks.push(...capped(input.recentRuns, HOME_MAX_SHOWN.recentRuns, (run) => recentRunBlock(run, input.now), rest));
  }
  return { type: 'home', blocks };
}

/** Home for someone who may not see runbooks and runs (roles are on and they hold none that allows it). */
export function buildHomeWithoutRole(userId: string): HomeView {
  return {
    type: 'home',
    blocks: [
      header('Runbooks'),
      section(`You need the viewer role (or operator, approver, editor or admin) to see runbooks and runs here. An admin can grant it with ${code(`runbook-bot permissions grant ${userId} viewer`)}.`),
    ],
  };
}
