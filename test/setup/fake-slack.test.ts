// The Slack half of the rig, checked against the real SDKs: the fake must understand what
// @slack/web-api sends and answer so WebClient behaves as with Slack, and the signed
// requests must be ones Bolt's HTTPReceiver accepts (and refuses) like Slack's.
import type { AddressInfo } from 'node:net';

import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import {
  appHomeOpenedEvent,
  blockActionPayload,
  createSlackSender,
  plainTextInputValues,
  signSlackRequest,
  viewSubmissionPayload,
} from '../support/slack-requests.js';

// WebClient's default policy adds a 1–2 s backoff on top of Retry-After; the retry tests
// only care that the client waits as told, so the backoff is taken out.
const noBackoff = { retries: 3, minTimeout: 0, maxTimeout: 0 };

describe('fake Slack Web API, driven by the real WebClient', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack({ usergroups: { S0ONCALL: ['U1', 'U2'] }, users: { U1: { name: 'bob', tz: 'Asia/Kolkata' } } });
    client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: noBackoff, logLevel: LogLevel.ERROR });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('posts, updates and threads messages, recording calls as Slack receives them', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Run started' });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await client.chat.postMessage({ channel: 'C1', thread_ts: posted.ts!, text: 'step 1 done' });
    const updated = await client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'Run finished' });

    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts: posted.ts, text: 'Run finished' });
    expect(fake.message('C1', posted.ts!)).toMatchObject({ text: 'Run finished', edited: { user: 'UBOT' } });
    expect(fake.threadReplies('C1', posted.ts!).map((m) => m.text)).toEqual(['step 1 done']);
    expect(fake.messages('C1')).toHaveLength(2);
    const first = fake.calls[0]!;
    expect(first).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', ok: true });
    expect(first.contentType).toBe('application/x-www-form-urlencoded');
    expect(first.args).toEqual({ channel: 'C1', text: 'Run started' });
  });

  it('round-trips blocks as objects, characters that need form-encoding included', async () => {
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: '*Deploy* a=b&c 100% <@U1> ✅' } },
      { type: 'actions', elements: [{ type: 'button', action_id: 'run_done', value: '{"r":"run_1"}', text: { type: 'plain_text', text: 'Done' } }] },
    ];
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks });

    expect(fake.message('C1', ts!)?.blocks).toEqual(blocks);
    expect(fake.calls[0]?.args.blocks).toEqual(blocks);
  });

  it('answers chat.update for an unknown ts with message_not_found, as a platform error', async () => {
    const error = (await client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }).catch((e: unknown) => e)) as WebAPIPlatformError;

    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe('message_not_found');
  });

  it('surfaces an injected ok:false as a WebClient platform error carrying the code', async () => {
    fake.fail('chat.postMessage', { error: 'channel_not_found' });

    const error = (await client.chat.postMessage({ channel: 'C404', text: 'hi' }).catch((e: unknown) => e)) as WebAPIPlatformError;

    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe('channel_not_found');
    expect(fake.calls).toHaveLength(1); // ok:false is final: WebClient does not retry it
    expect(fake.calls[0]).toMatchObject({ failed: true, injected: true, status: 200 });
    expect(await client.chat.postMessage({ channel: 'C404', text: 'hi' })).toMatchObject({ ok: true });
  });

  it('returns 429 with Retry-After, which WebClient waits out before retrying', async () => {
    fake.fail('chat.postMessage', { status: 429, retryAfterSeconds: 1 });

    const result = await client.chat.postMessage({ channel: 'C1', text: 'after the limit' });

    expect(result.ok).toBe(true);
    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect(limited).toMatchObject({ status: 429, failed: true, injected: true });
    expect(retried).toMatchObject({ status: 200, ok: true });
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
    expect(fake.messages('C1')).toHaveLength(1);
  });

  it('returns HTTP 500, which WebClient also retries (it is not an AbortError)', async () => {
    fake.fail('chat.postMessage', { status: 500 });

    await client.chat.postMessage({ channel: 'C1', text: 'after the outage' });

    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([500, 200]);
  });

  it('refuses missing or non-bot tokens and unknown methods', async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: noBackoff, logLevel: LogLevel.ERROR });
    const userToken = new WebClient('xoxp-user', { slackApiUrl: fake.apiUrl, retryConfig: noBackoff, logLevel: LogLevel.ERROR });

    await expect(anonymous.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(userToken.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client.apiCall('reactions.add', { channel: 'C1', name: 'x' })).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(fake.callsTo('reactions.add')).toHaveLength(1);
  });

  it('answers directory, permalink, ephemeral and view methods in Slack shapes', async () => {
    expect(await client.auth.test()).toMatchObject({ user_id: 'UBOT', bot_id: expect.any(String), team_id: expect.any(String) });
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
    expect((await client.users.info({ user: 'U1' })).user).toMatchObject({ id: 'U1', name: 'bob', tz: 'Asia/Kolkata', tz_offset: 19800 });
    expect((await client.conversations.info({ channel: 'C1' })).channel).toMatchObject({ id: 'C1', is_member: true });
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect((await client.chat.getPermalink({ channel: 'C1', message_ts: ts! })).permalink).toBe(
      `https://fake.slack/archives/C1/p${ts!.replace('.', '')}`,
    );
    expect((await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' })).message_ts).toMatch(/^\d+\.\d{6}$/);

    const modal = { type: 'modal' as const, callback_id: 'start_inputs', title: { type: 'plain_text' as const, text: 'Start' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: 'T1', view: modal });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'start_inputs', hash: expect.any(String) });
    expect(fake.calls.at(-1)?.args.view).toEqual(modal);
    await expect(client.views.open({ trigger_id: 'T1', view: modal })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    const updated = await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: { ...modal, private_metadata: 'm' } });
    expect(fake.view(opened.view!.id!)?.view).toMatchObject({ private_metadata: 'm', hash: updated.view!.hash });
    await expect(client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } });
    expect(fake.homeView('U1')?.view).toMatchObject({ type: 'home' });
  });

  it('resolves waitForCall on a later call and skips injected failures', async () => {
    fake.fail('chat.postMessage', { error: 'fatal_error' });
    const waiting = fake.waitForCall('chat.postMessage', (args) => args.channel === 'C2');

    await client.chat.postMessage({ channel: 'C2', text: 'first' }).catch(() => undefined);
    await client.chat.postMessage({ channel: 'C2', text: 'second' });

    const call = await waiting;
    expect(call.args.text).toBe('second');
    expect(await fake.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage').length === 2)).toBe(true);
  });

  it('times out waitForCall with a message listing the calls it did see', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'something else' });

    await expect(fake.waitForCall('chat.update', undefined, { timeoutMs: 100 })).rejects.toThrow(
      /no successful chat\.update call matched within 100 ms\.\nRecent Slack calls:\n {2}#0 chat\.postMessage ok .*something else/,
    );
  });

  it('records JSON posted to response URLs', async () => {
    const res = await fetch(fake.responseUrl('cmd-1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'working on it', response_type: 'ephemeral' }),
    });

    expect(res.status).toBe(200);
    expect((await fake.waitForResponse('cmd-1')).body).toEqual({ text: 'working on it', response_type: 'ephemeral' });
  });
});

describe('signed requests, checked by a real Bolt app', () => {
  const signingSecret = 'test-secret';
  let fake: FakeSlack;
  let app: App;
  let sender: ReturnType<typeof createSlackSender>;
  const seen: { commands: string[]; actions: string[]; submissions: unknown[]; homes: { user: string; retryNum?: number }[] } = {
    commands: [],
    actions: [],
    submissions: [],
    homes: [],
  };

  beforeAll(async () => {
    fake = await startFakeSlack();
    const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
    // Bolt calls auth.test from the constructor (tokenVerificationEnabled), so the fake is up first.
    app = new App({ token: 'xoxb-test', receiver, clientOptions: { slackApiUrl: fake.apiUrl }, logLevel: LogLevel.ERROR });
    app.command('/runbook', async ({ command, ack, respond }) => {
      seen.commands.push(command.text);
      await ack();
      await respond({ text: `got ${command.text}` });
    });
    app.action('run_done', async ({ action, ack }) => {
      seen.actions.push('value' in action ? String(action.value) : '');
      await ack();
    });
    app.view('start_inputs', async ({ view, ack }) => {
      seen.submissions.push(view.state.values);
      await ack();
    });
    app.event('app_home_opened', async ({ event, context }) => {
      seen.homes.push({ user: event.user, retryNum: context.retryNum });
    });
    // ListenOptions go straight to server.listen, so the host keeps Bolt on loopback.
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    sender = createSlackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret, responseUrlFor: fake.responseUrl });
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it('produces the signature Slack documents', () => {
    // Slack's published example: secret, timestamp and body from the request-verification guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('has Bolt check the bot token with auth.test against the fake', async () => {
    const call = await fake.waitForCall('auth.test');
    expect(call.token).toBe('xoxb-test');
  });

  it('gets a signed slash command acked with 200, and respond() reaches the fake', async () => {
    const reply = await sender.command({ text: 'start deploy-api' });

    expect(reply.status).toBe(200);
    expect(seen.commands).toEqual(['start deploy-api']);
    const responseId = sender.lastResponseUrl()!.split('/').at(-1)!;
    expect((await fake.waitForResponse(responseId)).body).toEqual({ text: 'got start deploy-api' });
  });

  it('refuses a bad signature and a 10-minute-old timestamp with 401', async () => {
    expect((await sender.command({ text: 'forged' }, { wrongSignature: true })).status).toBe(401);
    expect((await sender.command({ text: 'replayed' }, { ageSeconds: 600 })).status).toBe(401);
    expect(seen.commands).not.toContain('forged');
    expect(seen.commands).not.toContain('replayed');
  });

  it('delivers block actions, view submissions and retried events to the matching listeners', async () => {
    const action = blockActionPayload({ messageTs: '1700000000.000100', actionId: 'run_done', value: '{"r":"run_1"}', responseUrl: fake.responseUrl('a1') });
    const values = plainTextInputValues({ 'var:env': 'prod' });
    const submission = viewSubmissionPayload({ callbackId: 'start_inputs', privateMetadata: '{}', values });

    expect((await sender.action(action)).status).toBe(200);
    expect((await sender.viewSubmission(submission)).status).toBe(200);
    expect((await sender.event(appHomeOpenedEvent({ user: 'U1' }), { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);

    expect(seen.actions).toEqual(['{"r":"run_1"}']);
    expect(seen.submissions).toEqual([values]);
    // Events are acked before the listener runs, so the listener may still be on its way.
    await expect.poll(() => seen.homes).toEqual([{ user: 'U1', retryNum: 1 }]);
  });
});
