// The ephemeral answer to a refused or malformed command. The message often echoes what the
// user typed (an unknown runbook name, a bad key=value), so it is always escaped.
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { contextBlock, sectionBlock } from './run-format.js';
import type { KnownBlock, SlackMessage } from './types.js';

export type NoticeLevel = 'error' | 'info';

const ICON: Record<NoticeLevel, string> = { error: ':warning:', info: ':information_source:' };

export function buildNotice(message: string, opts: { usage?: string; level?: NoticeLevel } = {}): SlackMessage {
  const level = opts.level ?? 'error';
  // An empty message would make an empty section, which Slack refuses.
  const said = message.trim() === '' ? (level === 'error' ? 'That did not work.' : 'Done.') : message.trim();
  const blocks: KnownBlock[] = [sectionBlock(truncate(`${ICON[level]} ${escapeMrkdwn(said)}`, SLACK_LIMITS.sectionText))];
  // The fallback text is mrkdwn too (it shows in notifications), so it is escaped as well.
  let text = escapeMrkdwn(said);
  const usage = opts.usage?.trim();
  if (usage) {
    // Usage lines are ours and short; the cut guards against a caller passing user text.
    // It comes before escaping (code() escapes), but 500 chars escape to at most 2,500.
    blocks.push(contextBlock(`Usage: ${code(truncate(usage, 500))}`));
    text += ` Usage: ${escapeMrkdwn(usage)}`;
  }
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks };
}
