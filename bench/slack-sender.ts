// The thread that sends clicks to the bot and to the bare Bolt app and times their acks,
// and does nothing else. It used to share a thread with the fake Web API, whose garbage
// (the bot's chat.update bodies, the messages it keeps) made that thread stop for scavenges
// of 4–8 ms while bot clicks were in flight and rarely while baseline clicks were, which
// read as the bot's ack. Here, both kinds of click meet the same quiet thread: bodies arrive
// as transferred buffers, and the requests go out through node:http over kept-alive sockets
// (fetch spends about a millisecond of its thread per request on this machine, so the last
// click of a burst of 50 left tens of milliseconds after the first).
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

import { absoluteNow, CLICK_HEADER, type FromSender, type SentClick, type ToSender } from './slack-timing.js';

const port = parentPort;
if (!port) throw new Error('slack-sender.ts runs on a worker thread started by startClickSender()');
const { signingSecret } = workerData as { signingSecret: string };
const agents = new Map<string, Agent>();

/** Slack's v0 signature over `v0:{timestamp}:{body}`, without turning the body into a string. */
function signature(timestamp: number, body: Uint8Array): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

function post(url: URL, agent: Agent, id: string, body: Uint8Array): Promise<SentClick> {
  const sentAt = absoluteNow();
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(body.byteLength),
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature(timestamp, body),
    [CLICK_HEADER]: id,
  };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve({ id, status: res.statusCode ?? 0, sentAt, ackMs: absoluteNow() - sentAt }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

port.on('message', (message: ToSender) => {
  const url = new URL(message.url);
  let agent = agents.get(url.origin);
  if (!agent) agents.set(url.origin, (agent = new Agent({ keepAlive: true })));
  Promise.all(message.clicks.map((click) => post(url, agent, click.id, click.body))).then(
    (sent) => port.postMessage({ id: message.id, sent } satisfies FromSender),
    (error: unknown) => port.postMessage({ id: message.id, error: (error as Error).stack ?? String(error) } satisfies FromSender),
  );
});
