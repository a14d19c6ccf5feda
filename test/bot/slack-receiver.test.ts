// The HTTP-mode receiver on a real server with a real Bolt app: clicks and events are
// answered as soon as the signature checks out, whatever their listeners are doing;
// commands and modal submissions answer with what their listener acks; requests Slack did
// not sign never reach a listener.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { SLACK_EVENTS_PATH, SlackHttpReceiver } from '../../src/bot/slack-receiver.js';
import { appHomeOpenedEvent, blockActionPayload, createSlackSender, signSlackRequest, viewSubmissionPayload, type SlackSender } from '../support/slack-requests.js';

const SECRET = 'receiver-test-secret';
const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

let server: Server;
let url: string;
let slack: SlackSender;
/** What the listeners saw, in order. */
let seen: string[];
/** Released by a test to let the click listener finish. */
let releaseClick: () => void;
let clickHeld: Promise<void>;

beforeAll(async () => {
  const receiver = new SlackHttpReceiver({ signingSecret: SECRET, logger: quiet, bodyLimit: 64 * 1024 });
  // No Web API calls here: the listeners only record and answer.
  const app = new App({ token: 'xoxb-test', receiver, botId: 'B0TEST', botUserId: 'UBOT', tokenVerificationEnabled: false, logger: quiet, clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' } });
  app.action('hold', async ({ ack }) => {
    seen.push('click started');
    await clickHeld;
    await ack();
    seen.push('click finished');
  });
  app.command('/runbook', async ({ ack, command }) => {
    seen.push(`command ${command.text}`);
    await ack({ response_type: 'ephemeral', text: `you said ${command.text}` });
  });
  app.view('form', async ({ ack }) => {
    seen.push('view');
    await ack({ response_action: 'errors', errors: { name: 'Name is required' } });
  });
  app.event('app_home_opened', async ({ context }) => {
    seen.push(`home retry ${String(context.retryNum)} ${String(context.retryReason)}`);
  });
  server = createServer((req, res) => {
    if (!receiver.route(req, res)) res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  slack = createSlackSender({ url, signingSecret: SECRET });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  clickHeld = new Promise((resolve) => (releaseClick = resolve));
});

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
};

describe('SlackHttpReceiver', () => {
  it('answers a click 200 before its listener has run, and the listener still runs to the end', async () => {
    const reply = await slack.action(blockActionPayload({ messageTs: '1.1', actionId: 'hold', value: 'v' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    // Answered while the listener had not finished (it waits for the test).
    expect(seen).not.toContain('click finished');
    await until(() => seen.includes('click started'));
    releaseClick();
    await until(() => seen.includes('click finished'));
  });

  it('answers a slash command with what its listener acked', async () => {
    const reply = await slack.command({ text: 'list' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ response_type: 'ephemeral', text: 'you said list' });
    expect(seen).toEqual(['command list']);
  });

  it('answers a modal submission with the listener’s inline errors', async () => {
    const reply = await slack.viewSubmission(viewSubmissionPayload({ callbackId: 'form' }));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ response_action: 'errors', errors: { name: 'Name is required' } });
  });

  it('acks an event at once and hands its listener Slack’s retry headers', async () => {
    const reply = await slack.event(appHomeOpenedEvent(), { retryNum: 2, retryReason: 'http_timeout' });
    expect(reply.status).toBe(200);
    await until(() => seen.length === 1);
    expect(seen).toEqual(['home retry 2 http_timeout']);
  });

  for (const [what, opts] of [
    ['a wrong signature', { wrongSignature: true }],
    ['a timestamp older than 5 minutes', { ageSeconds: 5 * 60 + 30 }],
  ] as const) {
    it(`refuses ${what} with 401 and no listener runs`, async () => {
      const click = await slack.action(blockActionPayload({ messageTs: '1.1', actionId: 'hold' }), opts);
      const command = await slack.command({ text: 'list' }, opts);
      expect([click.status, command.status]).toEqual([401, 401]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual([]);
    });
  }

  it('answers Slack’s URL verification and SSL check without a listener', async () => {
    const verification = await slack.event({ type: 'url_verification', challenge: 'c-123', token: 't' });
    expect(verification.json).toEqual({ challenge: 'c-123' });
    // ssl_check comes unsigned.
    const ssl = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=t' });
    expect(ssl.status).toBe(200);
    expect(seen).toEqual([]);
  });

  it('refuses a signed body that is not Slack’s JSON with 400, and one over the limit with 413', async () => {
    const malformed = await slack.raw('payload=%7Bnot-json', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(malformed.status).toBe(400);
    const body = `payload=${'x'.repeat(70 * 1024)}`;
    const tooBig = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)) }, body });
    expect(tooBig.status).toBe(413);
    expect(seen).toEqual([]);
  });

  it('takes only POST on its path and leaves other paths to the server', async () => {
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const other = await fetch(url.replace(SLACK_EVENTS_PATH, '/elsewhere'), { method: 'POST', body: '' });
    expect(other.status).toBe(404);
  });
});
