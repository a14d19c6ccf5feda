// Timing Slack-style requests: when the server finished answering each one (from node's
// http diagnostics channel), and the bare Bolt app the bot's ack is compared with. The
// sender and the servers run on different threads, so times that cross between them are
// absolute (absoluteNow()), not each thread's performance.now().
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';

import { ActionId } from '../src/bot/slack-ids.js';

/** Header naming a click, so the server-side finish of its response can be found. */
export const CLICK_HEADER = 'x-bench-click';

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

/**
 * Starts a worker thread on a TypeScript entry. Node 20 does not apply a loader given in a
 * Worker's execArgv (`--import tsx` there still fails with ERR_UNKNOWN_FILE_EXTENSION), so
 * the worker registers tsx itself, then imports the entry.
 */
export function startTsWorker(entry: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData, execArgv: [] });
}

/** One click as the sender saw it: `sentAt` absolute (absoluteNow()), for other threads to subtract from. */
export interface SentClick {
  id: string;
  status: number;
  sentAt: number;
  ackMs: number;
}

export interface ToSender {
  id: number;
  url: string;
  /** Form bodies, moved to the sender thread (their buffers are transferred, not copied). */
  clicks: { id: string; body: Uint8Array }[];
}

export type FromSender = { id: number; sent: SentClick[] } | { id: number; error: string };

/** The sender thread (slack-sender.ts), from the thread that builds the clicks. */
export interface ClickSender {
  /** Sends every click at once, signed as Slack signs them; resolves when all are answered. */
  send(url: string, clicks: { id: string; body: string }[]): Promise<SentClick[]>;
  stop(): Promise<number>;
}

export function startClickSender(signingSecret: string): ClickSender {
  const worker = startTsWorker(new URL('./slack-sender.ts', import.meta.url), { signingSecret });
  const pending = new Map<number, { resolve(sent: SentClick[]): void; reject(error: Error): void }>();
  let seq = 0;
  const fail = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the Slack sender thread exited (code ${code})`)));
  worker.on('message', (message: FromSender) => {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) waiting?.reject(new Error(`Slack sender: ${message.error}`));
    else waiting?.resolve(message.sent);
  });
  const encoder = new TextEncoder();
  return {
    send(url, clicks) {
      seq += 1;
      const message: ToSender = { id: seq, url, clicks: clicks.map((c) => ({ id: c.id, body: encoder.encode(c.body) })) };
      return new Promise((resolve, reject) => {
        pending.set(message.id, { resolve, reject });
        worker.postMessage(message, message.clicks.map((c) => c.body.buffer as ArrayBuffer));
      });
    },
    stop: () => worker.terminate(),
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

