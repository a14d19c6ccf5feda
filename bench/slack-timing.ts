// Timing Slack-style requests: when the server finished answering each one (from node's
// http diagnostics channel), and the bare Bolt app the bot's ack is compared with. The
// sender and the servers run on different threads, so times that cross between them are
// absolute (absoluteNow()), not each thread's performance.now().
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';

import { ActionId } from '../src/bot/slack-ids.js';
import { signSlackRequest } from '../test/support/slack-requests.js';

/** Header naming a click, so the server-side finish of its response can be found. */
const CLICK_HEADER = 'x-bench-click';
const FORM = 'application/x-www-form-urlencoded';

/**
 * Milliseconds since the epoch with performance.now()'s resolution. Every thread of the
 * process shares performance.timeOrigin, so readings from two threads can be subtracted.
 */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();

/**
 * When each click's response was finished by the server that took it (absoluteNow()), from
 * node's http diagnostics channel, which reports the servers of this thread only: the bot's
 * and the baseline's alike.
 */
export function watchResponses(): { finishedAt: Map<string, number>; stop(): void } {
  const finishedAt = new Map<string, number>();
  const onFinish = (message: unknown) => {
    const id = (message as { request: IncomingMessage }).request.headers[CLICK_HEADER];
    if (typeof id === 'string') finishedAt.set(id, absoluteNow());
  };
  subscribe('http.server.response.finish', onFinish);
  return { finishedAt, stop: () => unsubscribe('http.server.response.finish', onFinish) };
}

export interface ClickPoster {
  /**
   * Sends a click as Slack would (signed form body), tagged for watchResponses(); times it.
   * `sentAt` is absolute, for the thread watching the server to subtract from its finish.
   */
  send(id: string, body: string): Promise<{ status: number; sentAt: number; ackMs: number }>;
  close(): void;
}

/**
 * Slack's side of a click, as lean as a client gets: node:http over kept-alive sockets.
 * fetch (undici) spends about a millisecond of the sender's thread per request on this
 * machine, so in a burst of 50 the last request left the sender tens of milliseconds after
 * the first, and that counted in both the bot's ack and the bare app's.
 */
export function createClickPoster(url: string, signingSecret: string): ClickPoster {
  const agent = new Agent({ keepAlive: true });
  const target = new URL(url);
  return {
    send(id, body) {
      const sentAt = absoluteNow();
      const headers = { ...signSlackRequest(signingSecret, body, Math.floor(Date.now() / 1000)), 'content-type': FORM, 'content-length': String(Buffer.byteLength(body)), [CLICK_HEADER]: id };
      return new Promise((resolve, reject) => {
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, sentAt, ackMs: absoluteNow() - sentAt }));
          res.once('error', reject);
        });
        req.once('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
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

