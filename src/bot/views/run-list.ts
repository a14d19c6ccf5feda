// `/runbook runs [status]`: one section per run, in the order the store returns them. A chat
// message holds at most 50 blocks, so the list is capped and says how many it left out.
import type { RunSummary } from '../../models/run-store.js';
import { SLASH_COMMAND } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { contextBlock, formatActor, formatDuration, formatStatus, plainText, sectionBlock } from './run-format.js';
import type { KnownBlock, SlackMessage } from './types.js';

/** Runs shown; room is left for the header, the filter, the "and N more" line and the hint. */
export const RUN_LIST_MAX_SHOWN = 40;

/** `*Deploy* v3 · \`run_…\``: the runbook name is author text, so escaped and cut. */
export function runTitle(run: RunSummary): string {
  return `*${truncate(escapeMrkdwn(run.runbook_name), 200)}* v${run.runbook_version} · ${code(run.id)}`;
}

/**
 * "started 5m 00s ago" for a run in flight, "took 3m 05s, ended 2h 00m ago" for a finished
 * one. Relative to `now` rather than a date token: a list is read the moment it is asked for.
 */
export function runTiming(run: RunSummary, now: number): string {
  if (run.completed_at === null) return `started ${formatDuration(now - run.created_at)} ago`;
  return `took ${formatDuration(run.completed_at - run.created_at)}, ended ${formatDuration(now - run.completed_at)} ago`;
}

export function buildRunList(runs: RunSummary[], opts: { status?: string[]; now: number }): SlackMessage {
  // The filter may echo what was typed after `runs`: escaped and cut like any user text.
  const filter = opts.status?.length ? truncate(escapeMrkdwn(opts.status.join(', ')), 200) : null;
  const blocks: KnownBlock[] = [{ type: 'header', text: plainText('Runs') }];

  if (runs.length === 0) {
    const none = filter === null ? 'No runs yet.' : `No runs with status ${filter}.`;
    blocks.push(sectionBlock(`${none} Start one with ${code(`${SLASH_COMMAND} start NAME`)}.`));
    return { text: none, blocks };
  }

  if (filter !== null) blocks.push(contextBlock(`Status: ${filter}`));
  for (const run of runs.slice(0, RUN_LIST_MAX_SHOWN)) {
    const text = `${runTitle(run)} · ${formatStatus(run.status)}\nStarted by ${formatActor(run.started_by)} · ${runTiming(run, opts.now)}`;
    blocks.push(sectionBlock(truncate(text, SLACK_LIMITS.sectionText)));
  }
  const hidden = runs.length - RUN_LIST_MAX_SHOWN;
  blocks.push(contextBlock(`${hidden > 0 ? `… and ${hidden} more. ` : ''}Details of one run: ${code(`${SLASH_COMMAND} status RUN`)}`));
  const text = `${runs.length} run${runs.length === 1 ? '' : 's'}${filter === null ? '' : ` with status ${filter}`}`;
  return { text, blocks };
}
