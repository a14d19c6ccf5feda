// Small answers several listeners give.
import { buildNotice } from '../views/notice.js';
import type { SlackMessage } from '../views/types.js';

/** A run message for reading only (`/runbook status`): the buttons belong on the live message. */
export function withoutButtons(message: SlackMessage): SlackMessage {
  return { ...message, blocks: message.blocks.filter((b) => b.type !== 'actions') };
}

/** The run started (or moved) but Slack would not take its message here. */
export function postedNotice(runId: string, slackError: string): SlackMessage {
  const hint = slackError === 'not_in_channel' || slackError === 'channel_not_found' ? ' Invite me to this channel (`/invite @runbook-bot`), then' : ' Then';
  return buildNotice(`Run ${runId} is under way, but I could not post its message here (Slack said ${slackError}).${hint} use \`/runbook resume ${runId}\` to post it again.`);
}
