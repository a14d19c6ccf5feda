// `/runbook device ID`: one device as its runner registered it (status, host, OS, tags, the
// tools it offers) and the latest runs on it, like reference 001's device page with its
// playbook history. Everything about a device comes from the runner on that machine and is
// untrusted: ids, hostnames, tags and tool names are cut and escaped.
import type { Device } from '../../models/device-store.js';
import type { RunSummary } from '../../models/run-store.js';
import { SLASH_COMMAND } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { DIVIDER, contextBlock, formatDuration, mrkdwn, plainText, sectionBlock, slackDate, statusEmoji } from './run-format.js';
import type { KnownBlock, SlackMessage } from './types.js';

/** What the view shows of a device, as the device store returns it. */
export type DeviceInfo = Pick<Device, 'id' | 'hostname' | 'os' | 'tags' | 'tools' | 'runner_version' | 'status' | 'last_seen' | 'started_at'>;

/** What the view shows of a run, as the run store lists it. */
export type RunSummaryLike = Pick<RunSummary, 'id' | 'runbook_name' | 'runbook_version' | 'status' | 'created_at' | 'completed_at' | 'started_by'>;

export interface DeviceMessageInput {
  /** Null when no runner ever registered `id`. */
  device: DeviceInfo | null;
  /** The id that was asked for, as typed. */
  id: string;
  /** Runs on this device, any order; the latest are shown. */
  runs: RunSummaryLike[];
  /** Unix ms, for "12s ago". */
  now: number;
}

/** Runs listed at most, newest first. */
export const DEVICE_RUNS_SHOWN = 10;
/** Tags or tools listed at most; the rest is "+N more". */
export const DEVICE_LIST_ITEMS_SHOWN = 40;

// Budgets before escaping (escaping can make text up to five times longer).
const ID_CHARS = 100;
const HOST_CHARS = 200;
const OS_PART_CHARS = 60;
const ITEM_CHARS = 60;
const NAME_CHARS = 100;
/** Characters for one list after escaping; its "+N more" fits in what is left of a section. */
const LIST_CHARS = 2000;

const STATUS_MARK = { online: '🟢 *Online*', offline: '🔴 *Offline*' } as const;

/** `web`, `prod`, … +60 more: each item in code, as many as fit in `maxChars`. */
export function itemList(items: readonly string[], maxChars = LIST_CHARS): string {
  if (items.length === 0) return '_none_';
  const shown: string[] = [];
  let length = 0;
  for (const item of items.slice(0, DEVICE_LIST_ITEMS_SHOWN)) {
    const piece = code(truncate(item, ITEM_CHARS));
    if (shown.length > 0 && length + 1 + piece.length > maxChars) break;
    shown.push(piece);
    length += (shown.length > 1 ? 1 : 0) + piece.length;
  }
  const hidden = items.length - shown.length;
  return hidden > 0 ? `${shown.join(' ')} +${hidden} more` : shown.join(' ');
}

function ago(ms: number, now: number): string {
  return `${formatDuration(now - ms)} ago`;
}

function deviceBlocks(device: DeviceInfo, now: number): KnownBlock[] {
  const os = [device.os.platform, device.os.release, device.os.arch].map((p) => escapeMrkdwn(truncate(p, OS_PART_CHARS)));
  return [
    sectionBlock(`${STATUS_MARK[device.status]} · last seen ${slackDate(device.last_seen)} (${ago(device.last_seen, now)})`),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Hostname*\n${escapeMrkdwn(truncate(device.hostname, HOST_CHARS))}`),
        mrkdwn(`*OS*\n${os[0]} ${os[1]} (${os[2]})`),
        mrkdwn(`*Runner*\n${escapeMrkdwn(truncate(device.runner_version, ID_CHARS))}`),
        mrkdwn(`*Runner started*\n${slackDate(device.started_at)}`),
      ],
    },
    sectionBlock(`*Tags*\n${itemList(device.tags)}`),
    sectionBlock(`*Tools offered*\n${itemList(device.tools)}`),
  ];
}

/** `✅ *Disk Cleanup* v2 · \`run_…\` · <date> · took 1m 05s`. */
function runLine(run: RunSummaryLike, now: number): string {
  const name = escapeMrkdwn(truncate(run.runbook_name, NAME_CHARS));
  const timing =
    run.completed_at === null ? `${formatDuration(now - run.created_at)} so far` : `took ${formatDuration(run.completed_at - run.created_at)}`;
  return `${statusEmoji(run.status)} *${name}* v${run.runbook_version} · ${code(truncate(run.id, ID_CHARS))} · ${slackDate(run.created_at)} · ${timing}`;
}

function runsBlocks(runs: readonly RunSummaryLike[], now: number): KnownBlock[] {
  const title = '*Recent runs on this device*';
  if (runs.length === 0) return [sectionBlock(`${title}\nNo runs on this device yet.`)];
  const latest = [...runs].sort((a, b) => b.created_at - a.created_at);
  const lines = latest.slice(0, DEVICE_RUNS_SHOWN).map((run) => runLine(run, now));
  const blocks: KnownBlock[] = [sectionBlock(truncate([title, ...lines].join('\n'), SLACK_LIMITS.sectionText))];
  const hidden = runs.length - DEVICE_RUNS_SHOWN;
  if (hidden > 0) blocks.push(contextBlock(`… and ${hidden} more`));
  return blocks;
}

/** The answer to `/runbook device ID`: the device and its latest runs, or how to add it. */
export function buildDeviceMessage(input: DeviceMessageInput): SlackMessage {
  const { device, now } = input;
  const id = truncate(device?.id ?? input.id, ID_CHARS);
  const escapedId = escapeMrkdwn(id);
  if (device === null) {
    const blocks: KnownBlock[] = [
      sectionBlock(`Device ${code(id)} is not known. Start a runner on it: ${code(`runbook-bot runner --device-id ${id}`)}`),
    ];
    if (input.runs.length > 0) blocks.push(DIVIDER, ...runsBlocks(input.runs, now));
    return { text: `Device ${escapedId} is not known.`, blocks };
  }
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(truncate(`🖥️ ${id}`, SLACK_LIMITS.headerText)) },
    ...deviceBlocks(device, now),
    DIVIDER,
    ...runsBlocks(input.runs, now),
    contextBlock(`Run a runbook on it: ${code(`${SLASH_COMMAND} start NAME device=${id}`)}`),
  ];
  const host = escapeMrkdwn(truncate(device.hostname, HOST_CHARS));
  const text = `Device ${escapedId} (${host}): ${device.status}, last seen ${ago(device.last_seen, now)}`;
  return { text, blocks };
}
