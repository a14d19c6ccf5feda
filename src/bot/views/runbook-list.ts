// `/runbook list [text]`: one section per runbook. Names and descriptions are written by
// runbook authors, the query by whoever typed the command: all of it is escaped.
import type { RunbookRecord } from '../../models/runbook-records.js';
import { SLASH_COMMAND } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { contextBlock, plainText, sectionBlock } from './run-format.js';
import type { KnownBlock, SlackMessage } from './types.js';

/** Runbooks shown: a message holds 50 blocks, and a longer list is better narrowed anyway. */
export const RUNBOOK_LIST_MAX_SHOWN = 40;
/** Descriptions run to 5,000 chars; a list only needs a glimpse. */
const DESCRIPTION_CHARS = 300;

function runbookText(rb: RunbookRecord): string {
  const published = rb.status === 'published' && rb.published_version !== null;
  const version = published ? `v${rb.published_version}` : `v${rb.latest_version}`;
  const lines = [`*${truncate(escapeMrkdwn(rb.name), 300)}* ${code(rb.slug)} · ${escapeMrkdwn(rb.status)} · ${version}`];
  const description = rb.description.trim().replace(/\s+/g, ' ');
  if (description !== '') lines.push(truncate(escapeMrkdwn(description), DESCRIPTION_CHARS));
  // Only published runbooks start runs (DESIGN §3), so only they get the hint.
  if (published) lines.push(`Start: ${code(`${SLASH_COMMAND} start ${rb.slug}`)}`);
  return truncate(lines.join('\n'), SLACK_LIMITS.sectionText);
}

export function buildRunbookList(items: RunbookRecord[], opts: { query?: string; hasMore: boolean }): SlackMessage {
  const query = opts.query?.trim() ? truncate(escapeMrkdwn(opts.query.trim()), 200) : null;
  const blocks: KnownBlock[] = [{ type: 'header', text: plainText('Runbooks') }];

  if (items.length === 0) {
    const none = query === null ? 'No runbooks yet.' : `No runbooks match “${query}”.`;
    const next =
      query === null
        ? `Import one with ${code('runbook-bot import --publish FILE')}.`
        : `Try other words, or ${code(`${SLASH_COMMAND} list`)} for all of them.`;
    blocks.push(sectionBlock(`${none} ${next}`));
    return { text: none, blocks };
  }

  if (query !== null) blocks.push(contextBlock(`Matching “${query}”`));
  for (const rb of items.slice(0, RUNBOOK_LIST_MAX_SHOWN)) blocks.push(sectionBlock(runbookText(rb)));
  const hidden = Math.max(0, items.length - RUNBOOK_LIST_MAX_SHOWN);
  if (hidden > 0 || opts.hasMore) {
    // hasMore: the store stopped at its page size, so the true count is unknown.
    const more = hidden > 0 ? `… and ${hidden}${opts.hasMore ? '+' : ''} more.` : '… and more.';
    blocks.push(contextBlock(`${more} Narrow it down: ${code(`${SLASH_COMMAND} list TEXT`)}`));
  }
  const count = `${items.length}${opts.hasMore ? '+' : ''} runbook${items.length === 1 && !opts.hasMore ? '' : 's'}`;
  return { text: query === null ? count : `${count} matching “${query}”`, blocks };
}
