// What a Slack user sees and does, for the end-to-end bot tests: the buttons on a message,
// its text, starting a run with the slash command and clicking a button on the message the
// fake Slack holds. Everything goes through the real Bolt app; nothing here touches the
// service except to read what a test asserts on.
import { expect } from 'vitest';

import { decodeRunActionValue, type RunActionValue } from '../../../src/bot/action-value.js';
import { parseDefinition } from '../../../src/engine/definition/index.js';
import type { FakeMessage, FakeSlack } from '../../support/fake-slack.js';
import { ViewId, INPUT_ACTION_ID } from '../../../src/bot/slack-ids.js';
import { blockActionPayload, DEFAULT_CHANNEL, plainTextInputValues, viewSubmissionPayload, type SlackReply } from '../../support/slack-requests.js';
import { PUBLISHER, type BotRig } from './bot-rig.js';

export interface SlackButton {
  type: 'button';
  action_id: string;
  value?: string;
  text: { type: string; text: string };
  style?: string;
}

/** Every button in the blocks: elements of actions blocks and section accessories. */
export function buttons(blocks: unknown[] | undefined): SlackButton[] {
  const found: SlackButton[] = [];
  for (const raw of blocks ?? []) {
    const block = raw as { type?: string; elements?: unknown[]; accessory?: { type?: string } };
    if (block.type === 'actions') {
      for (const el of block.elements ?? []) if ((el as { type?: string }).type === 'button') found.push(el as SlackButton);
    }
    if (block.accessory?.type === 'button') found.push(block.accessory as SlackButton);
  }
  return found;
}

/** The one button with this action id; fails the test naming the buttons there were. */
export function button(blocks: unknown[] | undefined, actionId: string): SlackButton {
  const all = buttons(blocks);
  const found = all.filter((b) => b.action_id === actionId);
  if (found.length !== 1) {
    throw new Error(`expected one ${actionId} button, found ${found.length} among: ${all.map((b) => b.action_id).join(', ') || '(none)'}`);
  }
  return found[0] as SlackButton;
}

/** The decoded value of a run button. */
export function valueOf(b: SlackButton): RunActionValue {
  return decodeRunActionValue(b.value ?? '');
}

/** Every piece of text a block carries (sections, fields, context elements, headers, buttons). */
export function blockTexts(blocks: unknown[] | undefined): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.text === 'string') texts.push(obj.text);
    for (const [key, value] of Object.entries(obj)) if (key !== 'text' || typeof value !== 'string') walk(value);
  };
  walk(blocks ?? []);
  return texts;
}

/** A message's fallback text and all its block text, joined: what a reader could see. */
export function visibleText(message: { text?: unknown; blocks?: unknown } | undefined): string {
  if (!message) return '';
  const text = typeof message.text === 'string' ? message.text : '';
  return [text, ...blockTexts(message.blocks as unknown[] | undefined)].join('\n');
}

const RUN_ID = /run_[A-Za-z0-9]{12}/;

/** The run id a message shows (its summary line prints it). */
export function runIdIn(message: { text?: unknown; blocks?: unknown } | undefined): string {
  const match = RUN_ID.exec(visibleText(message));
  if (!match) throw new Error(`no run id in message: ${visibleText(message).slice(0, 300)}`);
  return match[0];
}

export interface LiveMessage {
  channel: string;
  ts: string;
  runId: string;
}

/**
 * `/runbook start …` typed in `channel`; waits for the run's live message and returns where
 * it is. The command must start a run (not open the inputs modal).
 */
export async function startFromSlack(rig: BotRig, text: string, opts: { channel?: string; user?: string } = {}): Promise<LiveMessage> {
  const channel = opts.channel ?? DEFAULT_CHANNEL.id;
  const since = rig.fake.calls.length;
  const reply = await rig.slack.command({ text, channel_id: channel, ...(opts.user ? { user_id: opts.user, user_name: opts.user.toLowerCase() } : {}) });
  expect(reply.status).toBe(200);
  const posted = await rig.fake.waitForCall('chat.postMessage', (a) => a.channel === channel && a.thread_ts === undefined, { since });
  const ts = posted.result?.ts as string;
  return { channel, ts, runId: runIdIn(rig.fake.message(channel, ts)) };
}

/** Clicks the button `actionId` on the message as the fake holds it now (as a user would). */
export async function clickOn(
  rig: BotRig,
  at: { channel: string; ts: string },
  actionId: string,
  opts: { user?: string; actionTs?: string; responseUrl?: string; pick?: (b: SlackButton) => boolean } = {},
): Promise<SlackReply> {
  const message = rig.fake.message(at.channel, at.ts);
  if (!message) throw new Error(`the fake holds no message ${at.channel}/${at.ts}`);
  const candidates = buttons(message.blocks).filter((b) => b.action_id === actionId && (opts.pick?.(b) ?? true));
  if (candidates.length !== 1) throw new Error(`expected one ${actionId} button on ${at.ts}, found ${candidates.length}: ${visibleText(message).slice(0, 300)}`);
  const b = candidates[0] as SlackButton;
  return rig.slack.action(
    blockActionPayload({
      channel: at.channel,
      messageTs: at.ts,
      actionId: b.action_id,
      ...(b.value !== undefined && { value: b.value }),
      text: b.text.text,
      message: { text: message.text ?? '', blocks: message.blocks ?? [] },
      ...(opts.user && { user: opts.user }),
      ...(opts.actionTs && { actionTs: opts.actionTs }),
      ...(opts.responseUrl && { responseUrl: opts.responseUrl }),
    }),
  );
}

/** The step id the message's step buttons point at (the current step as rendered). */
export function renderedStep(message: FakeMessage | undefined): string | undefined {
  const step = buttons(message?.blocks).find((b) => b.value && valueOf(b).s !== undefined);
  return step ? valueOf(step).s : undefined;
}

/** Waits until the fake's copy of the message satisfies `check`. */
export function waitForMessage(fake: FakeSlack, at: { channel: string; ts: string }, check: (m: FakeMessage) => boolean, timeoutMs = 5000): Promise<FakeMessage> {
  return fake.waitFor(() => {
    const m = fake.message(at.channel, at.ts);
    return m && check(m) ? m : undefined;
  }, { timeoutMs });
}

/** Saves a definition as a draft (never published); returns the runbook record. */
export async function saveDraft(rig: BotRig, definition: Record<string, unknown>) {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(`bad test definition: ${JSON.stringify(parsed.problems)}`);
  return (await rig.app.runbooks.save({ source: parsed.source, author: PUBLISHER, publish: false })).runbook;
}

/** How many runs the service holds (the count a test compares before and after). */
export async function runCount(rig: BotRig): Promise<number> {
  return (await rig.app.service.list({ limit: 100 })).length;
}

/** Resolves after `ms`; for checking that something did *not* happen. */
export const settle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Submits the inputs modal as Slack would, with these values typed into its fields (by block id). */
export function submitInputs(rig: BotRig, view: { id: string; private_metadata?: unknown; blocks?: unknown }, values: Record<string, string | null>): Promise<SlackReply> {
  return rig.slack.viewSubmission(
    viewSubmissionPayload({
      callbackId: ViewId.StartInputs,
      viewId: view.id,
      privateMetadata: view.private_metadata as string,
      blocks: view.blocks as unknown[],
      values: plainTextInputValues(values, INPUT_ACTION_ID),
    }),
  );
}
