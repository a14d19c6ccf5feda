// `/runbook help`: every subcommand with its usage line. USAGE is also what notices quote
// back when a command is malformed, so the two can never disagree.
import { RUN_STATUSES } from '../../engine/types.js';
import type { Subcommand } from '../command-text.js';
import { SLASH_COMMAND } from '../slack-ids.js';
import { code } from './mrkdwn.js';
import { contextBlock, plainText, sectionBlock } from './run-format.js';
import type { SlackMessage } from './types.js';

/** One usage line per subcommand (DESIGN §5 "slash command"). */
export const USAGE = {
  help: `${SLASH_COMMAND} help`,
  list: `${SLASH_COMMAND} list [text]`,
  start: `${SLASH_COMMAND} start NAME [key=value ...]`,
  status: `${SLASH_COMMAND} status RUN`,
  runs: `${SLASH_COMMAND} runs [status]`,
  resume: `${SLASH_COMMAND} resume RUN`,
  pause: `${SLASH_COMMAND} pause RUN`,
  cancel: `${SLASH_COMMAND} cancel RUN`,
  device: `${SLASH_COMMAND} device ID`,
  alerts: `${SLASH_COMMAND} alerts`,
} as const satisfies Record<Subcommand, string>;

const EXPLAIN: Record<Subcommand, string> = {
  help: 'Show this list.',
  list: 'Published runbooks, optionally only those whose name or description matches the text.',
  start: 'Start a runbook; variables not given on the line are asked for in a form.',
  status: 'Where a run stands: its current step and progress.',
  runs: `Recent runs, optionally only those in a status: ${['active', ...RUN_STATUSES].join(', ')}.`,
  resume: "Post a run's live message here (resuming it if paused); later updates go to that message.",
  pause: 'Pause a running run; nobody can act on it until it is resumed.',
  cancel: 'Cancel a run for good.',
  device: 'A device: whether its runner is online, its tags and tools, and its recent runs.',
  alerts: 'Recent alerts: what they were, and what was run or dismissed for them.',
};

export function buildHelp(): SlackMessage {
  const lines = (Object.keys(USAGE) as Subcommand[]).map((name) => `${code(USAGE[name])} — ${EXPLAIN[name]}`);
  return {
    text: `${SLASH_COMMAND} commands: ${Object.keys(USAGE).join(', ')}`,
    blocks: [
      { type: 'header', text: plainText(`${SLASH_COMMAND} commands`) },
      sectionBlock(lines.join('\n')),
      contextBlock(
        `NAME is a runbook id, its exact name (any case) or its slug (${code('deploy-to-production')}). ` +
          `RUN is a run id (${code('run_…')}). Quote values with spaces: ${code(`${SLASH_COMMAND} start deploy version="1.2 beta"`)}. ` +
          `Playbooks that run tools take the device as ${code('device=web-01')}.`,
      ),
    ],
  };
}
