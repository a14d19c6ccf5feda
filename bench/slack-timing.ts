// Timing Slack-style requests: when the server finished answering each one (from node's
// http diagnostics channel), and the bare Bolt app the bot's ack is compared with.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';

import { ActionId } from '../src/bot/slack-ids.js';
import type { SlackReply, SlackSender } from '../test/support/slack-requests.js';

/** Header naming a click, so the server-side finish of its response can be found. */
const CLICK_HEADER = 'x-bench-click';
const FORM = 'application/x-www-form-urlencoded';

/**
 * When each click's response was finished by the server that took it (performance.now()),
 * from node's http diagnostics channel: the bot's server and the baseline's alike.
 */
export function watchResponses(): { finishedAt: Map<string, number>; stop(): void } {
  const finishedAt = new Map<string, number>();
  const onFinish = (message: unknown) => {
    const id = (message as { request: IncomingMessage }).request.headers[CLICK_HEADER];
    if (typeof id === 'string') finishedAt.set(id, performance.now());
  };
  subscribe('http.server.response.finish', onFinish);
  return { finishedAt, stop: () => unsubscribe('http.server.response.finish', onFinish) };
}

/** Sends a click as Slack would (signed form body), tagged for watchResponses(); times it. */
export async function sendClick(sender: SlackSender, id: string, body: string, finishedAt: Map<string, number>): Promise<{ reply: SlackReply; ackMs: number; writtenMs: number | null }> {
  const started = performance.now();
  const reply = await sender.raw(body, { 'content-type': FORM, [CLICK_HEADER]: id });
  const ackMs = performance.now() - started;
  const finished = finishedAt.get(id);
  finishedAt.delete(id);
  return { reply, ackMs, writtenMs: finished === undefined ? null : finished - started };
}

/**
 * A Bolt app that only acks Done: the floor the service's ack is compared with. Bolt's
 * defaults otherwise, so its auth.test runs once, at construction, against the fake.
 */
export async function startBaseline(slackApiUrl: string, signingSecret: string): Promise<{ url: string; close(): Promise<void> }> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', processBeforeResponse: false, logger: quiet });
  const bolt = new BoltApp({ token: 'xoxb-bench-baseline', receiver, clientOptions: { slackApiUrl }, logger: quiet });
  bolt.action(ActionId.Done, async ({ ack }) => {
    await ack();
  });
  // Served like the bot serves it: the receiver's request listener on our own server.
  const server: Server = createServer(receiver.requestListener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

