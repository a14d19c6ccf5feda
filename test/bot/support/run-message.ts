// Reading a run's live message the way a person sees it in the fake Slack (its buttons and
// text), and clicking its buttons by label through signed requests, as Slack would send them.
import { vi } from 'vitest';

import { decodeRunActionValue, type RunActionValue } from '../../../src/bot/action-value.js';
import type { AuditEntry, Run } from '../../../src/engine/index.js';
import type { FakeMessage, FakeResponse } from '../../support/fake-slack.js';
import { blockActionPayload, DEFAULT_CHANNEL, DEFAULT_USER, type SlackReply } from '../../support/slack-requests.js';
import type { BotRig } from './bot-rig.js';

export interface RunButton {
  action_id: string;
  value: string;
  label: string;
  style?: string;
  confirm?: Record<string, unknown>;
  decoded: RunActionValue;
}

type Block = { type: string; text?: { text?: string }; elements?: Array<Record<string, unknown>> };

/** Every button in the message's actions blocks, in order. */
export function buttonsOf(message: Pick<FakeMessage, 'blocks'> | undefined): RunButton[] {
  return ((message?.blocks ?? []) as Block[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button')
    .map((e) => ({
      action_id: e.action_id as string,
      value: e.value as string,
      label: (e.text as { text: string }).text,
      ...(typeof e.style === 'string' && { style: e.style }),
      ...(e.confirm !== undefined && { confirm: e.confirm as Record<string, unknown> }),
      decoded: decodeRunActionValue(e.value as string),
    }));
}

/** All the text a reader sees in the blocks (header, sections, context lines), one block per line. */
export function textOf(message: Pick<FakeMessage, 'blocks'> | undefined): string {
  return ((message?.blocks ?? []) as Block[])
    .map((b) => {
      if (b.text?.text !== undefined) return b.text.text;
      if (b.type === 'context') return (b.elements ?? []).map((e) => String(e.text ?? '')).join(' ');
      return '';
    })
    .filter((t) => t !== '')
    .join('\n');
}

/** The message with the "… so far" durations blanked: two renders of one stored run differ only there. */
export function withoutClock(message: Pick<FakeMessage, 'blocks' | 'text'> | undefined): string {
  return JSON.stringify({ text: message?.text, blocks: message?.blocks }).replace(/(\d+[smhd] )?\d+[smhd] so far/g, '(so far)');
}

export interface ClickOptions {
  user?: string;
  userName?: string;
  actionTs?: string;
  triggerId?: string;
  /** Click this button (e.g. one saved from an older render) instead of finding it by label. */
  button?: RunButton;
}

export interface Click {
  reply: SlackReply;
  /** The response_url id this click carried: its ephemeral answers are `fake.responses(responseId)`. */
  responseId: string;
  /** `fake.calls.length` just before the click was sent. */
  since: number;
}

export interface Snapshot {
  run: Run;
  audit: AuditEntry[];
}

let clickSeq = 0;

/** A handle on one run's live message in the fake Slack. */
export function liveRun(rig: () => BotRig, location: { channel?: string; ts: string; runId: string }) {
  const channel = location.channel ?? DEFAULT_CHANNEL.id;
  const { ts, runId } = location;

  const message = () => {
    const found = rig().fake.message(channel, ts);
    if (!found) throw new Error(`no message ${ts} in ${channel}`);
    return found;
  };
  const buttons = () => buttonsOf(message());
  const labels = () => buttons().map((b) => b.label);
  const button = (label: string): RunButton => {
    const found = buttons().find((b) => b.label === label);
    if (!found) throw new Error(`no "${label}" button on the run message; it has: ${labels().join(', ') || '(none)'}`);
    return found;
  };
  const snapshot = async (): Promise<Snapshot> => ({ run: await rig().app.service.get(runId), audit: await rig().app.service.audit(runId) });

  async function click(label: string, opts: ClickOptions = {}): Promise<Click> {
    const { fake, slack } = rig();
    const target = opts.button ?? button(label);
    clickSeq += 1;
    const responseId = `click-${clickSeq}-${target.label}`;
    const since = fake.calls.length;
    const current = message();
    const reply = await slack.action(
      blockActionPayload({
        channel,
        messageTs: ts,
        actionId: target.action_id,
        value: target.value,
        text: target.label,
        responseUrl: fake.responseUrl(responseId),
        message: { ...(current.text !== undefined && { text: current.text }), ...(current.blocks !== undefined && { blocks: current.blocks }) },
        ...(opts.user !== undefined && { user: opts.user }),
        ...(opts.userName !== undefined && { userName: opts.userName }),
        ...(opts.actionTs !== undefined && { actionTs: opts.actionTs }),
        ...(opts.triggerId !== undefined && { triggerId: opts.triggerId }),
      }),
    );
    if (reply.status !== 200) throw new Error(`Slack's request for "${label}" got HTTP ${reply.status}: ${reply.body}`);
    return { reply, responseId, since };
  }

  /** Waits until the command a click (or command) sent is stored and its message render has gone out. */
  async function settled(before: Snapshot, since: number): Promise<Snapshot> {
    const { fake, app } = rig();
    await vi.waitFor(
      async () => {
        const seq = (await app.service.get(runId)).audit_seq;
        if (seq <= before.run.audit_seq) throw new Error(`run ${runId} still at audit seq ${seq}`);
      },
      { timeout: 5000, interval: 20 },
    );
    await fake.waitForCall('chat.update', (args) => args.ts === ts && args.channel === channel, { since });
    await app.notifier?.idle();
    return snapshot();
  }

  return {
    runId,
    ts,
    channel,
    message,
    buttons,
    labels,
    button,
    text: () => textOf(message()),
    snapshot,
    click,
    settled,

    /** Clicks and waits until the run moved and the message shows it; fails if the clicker was told no. */
    async clickOk(label: string, opts: ClickOptions = {}): Promise<Snapshot> {
      const before = await snapshot();
      const sent = await click(label, opts);
      const after = await settled(before, sent.since);
      const answers = rig().fake.responses(sent.responseId);
      if (answers.length > 0) throw new Error(`"${label}" was answered: ${JSON.stringify(answers.map((a) => a.body.text))}`);
      return after;
    },

    /**
     * Clicks a button the bot must refuse; returns the ephemeral answer once it arrived, after
     * checking that the clicked message was re-rendered before it and that nothing changed.
     */
    async clickRefused(label: string, opts: ClickOptions = {}): Promise<{ answer: FakeResponse; before: Snapshot; after: Snapshot; click: Click }> {
      const { fake, app } = rig();
      const before = await snapshot();
      const sent = await click(label, opts);
      const answer = await fake.waitForResponse(sent.responseId);
      await app.notifier?.idle();
      const after = await snapshot();
      return { answer, before, after, click: sent };
    },
  };
}

export type LiveRun = ReturnType<typeof liveRun>;

/** `/runbook start …` from `user`; resolves with a handle on the run's live message once it is posted. */
export async function startRun(
  rig: () => BotRig,
  text: string,
  opts: {
    user?: string;
    userName?: string;
    /**
     * Replies the thread gets as soon as the run starts (e.g. asking a first-step gate's
     * approvers). They come with a render of their own after the post; waiting for them
     * keeps that render from landing in the middle of the test's first click.
     */
    threadReplies?: number;
  } = {},
): Promise<LiveRun> {
  const { fake, slack, app } = rig();
  const since = fake.calls.length;
  const reply = await slack.command({
    text: `start ${text}`,
    user_id: opts.user ?? DEFAULT_USER.id,
    user_name: opts.userName ?? (opts.user ?? DEFAULT_USER.name).toLowerCase(),
  });
  if (reply.status !== 200) throw new Error(`/runbook start got HTTP ${reply.status}: ${reply.body}`);
  const posted = await fake.waitForCall('chat.postMessage', (args) => args.thread_ts === undefined && args.channel === DEFAULT_CHANNEL.id, { since });
  const ts = posted.result?.ts as string;
  const replies = opts.threadReplies ?? 0;
  if (replies > 0) await fake.waitFor(() => fake.threadReplies(DEFAULT_CHANNEL.id, ts).length >= replies);
  await app.notifier?.idle();
  const first = buttonsOf(fake.message(DEFAULT_CHANNEL.id, ts))[0];
  if (!first) throw new Error('the run message has no buttons');
  return liveRun(rig, { ts, runId: first.decoded.r });
}

/** The bot's chat.update calls on one message since `since` (a `fake.calls.length` taken earlier). */
export function updatesOf(rig: () => BotRig, ts: string, since = 0) {
  return rig().fake.calls.slice(since).filter((c) => c.method === 'chat.update' && c.args.ts === ts);
}
