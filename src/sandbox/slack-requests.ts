// Requests to the bot exactly as Slack sends them: signed with the signing secret, slash
// commands and interactions form-encoded, events as JSON. Payload builders follow the
// shapes Slack documents, so the Bolt listeners under test see what production sees.
import { createHmac, randomBytes } from 'node:crypto';

import { FAKE_APP_ID, FAKE_BOT, FAKE_TEAM } from './fake-slack.js';

/** Slack's deprecated verification token; still sent in every payload. */
export const FAKE_VERIFICATION_TOKEN = 'fake-verification-token';
export const DEFAULT_USER = { id: 'U0ALICE', name: 'alice' } as const;
export const DEFAULT_CHANNEL = { id: 'C0OPS', name: 'ops' } as const;

// Nothing listens on the discard port: a response_url nobody asked for fails fast and
// stays on loopback instead of reaching for hooks.slack.com.
const NOWHERE_RESPONSE_URL = 'http://127.0.0.1:9/response/none';

// Slack's form bodies carry exactly this content type, and Bolt's HTTPReceiver only parses
// a form body when the header matches it exactly (no charset suffix).
const FORM = 'application/x-www-form-urlencoded';

export interface SignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{raw body}`, hex, prefixed `v0=`. */
export function signSlackRequest(secret: string, body: string, timestampSeconds: number): SignedHeaders {
  const hex = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${hex}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

export interface SendOptions {
  /** Sign with another secret, as a forger would. */
  wrongSignature?: boolean;
  /** Backdate the timestamp (correctly signed); Bolt refuses more than 300 s. */
  ageSeconds?: number;
}

export interface EventSendOptions extends SendOptions {
  /** Slack's redelivery headers: `x-slack-retry-num` / `x-slack-retry-reason`. */
  retryNum?: number;
  retryReason?: string;
}

export interface SlackReply {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  headers: Headers;
}

export interface SlackSenderOptions {
  /** The bot's request URL, e.g. `http://127.0.0.1:PORT/slack/events`. */
  url: string;
  signingSecret: string;
  /** Clock in milliseconds, like Date.now (the default). */
  now?: () => number;
  /** Default response_url for commands and actions, e.g. `fake.responseUrl`. */
  responseUrlFor?: (id: string) => string;
}

export type SlashCommandFields = {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  response_url: string;
  trigger_id: string;
  api_app_id: string;
} & Record<string, string>;

export interface SlackSender {
  /** A slash command; unspecified fields get realistic defaults (`/runbook`, alice in #ops). */
  command(fields?: Partial<SlashCommandFields>, opts?: SendOptions): Promise<SlackReply>;
  /** An interaction (`block_actions`, …), sent as `payload=<json>`. */
  action(payload: object, opts?: SendOptions): Promise<SlackReply>;
  viewSubmission(payload: object, opts?: SendOptions): Promise<SlackReply>;
  /** An Events API envelope, sent as JSON. */
  event(body: object, opts?: EventSendOptions): Promise<SlackReply>;
  /** Any body, signed; `headers` are added last, so they can override the signature or content type. */
  raw(body: string, headers: Record<string, string>, opts?: SendOptions): Promise<SlackReply>;
  /** The response_url given to the last command or action sent. */
  lastResponseUrl(): string | undefined;
}

export function createSlackSender({ url, signingSecret, now = Date.now, responseUrlFor }: SlackSenderOptions): SlackSender {
  let lastResponseUrl: string | undefined;

  async function post(body: string, headers: Record<string, string>, opts: SendOptions = {}): Promise<SlackReply> {
    const timestamp = Math.floor(now() / 1000) - (opts.ageSeconds ?? 0);
    const secret = opts.wrongSignature ? `${signingSecret}-forged` : signingSecret;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...signSlackRequest(secret, body, timestamp), ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, json: tryJson(text), headers: res.headers };
  }

  const postPayload = (payload: object, opts?: SendOptions) => {
    const responseUrl = (payload as { response_url?: unknown }).response_url;
    if (typeof responseUrl === 'string') lastResponseUrl = responseUrl;
    return post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { 'content-type': FORM }, opts);
  };

  return {
    command(fields = {}, opts) {
      const full = slashCommandFields(fields, responseUrlFor);
      lastResponseUrl = full.response_url;
      return post(new URLSearchParams(full).toString(), { 'content-type': FORM }, opts);
    },
    action: postPayload,
    viewSubmission: postPayload,
    event(body, opts = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.retryNum !== undefined) headers['x-slack-retry-num'] = String(opts.retryNum);
      if (opts.retryReason !== undefined) headers['x-slack-retry-reason'] = opts.retryReason;
      return post(JSON.stringify(body), headers, opts);
    },
    raw: (body, headers, opts) => post(body, headers, opts),
    lastResponseUrl: () => lastResponseUrl,
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Ids Slack would generate

let seq = 0;
function nextSeq(): number {
  seq += 1;
  return seq;
}

/** Shaped like Slack's: `{digits}.{digits}.{32 hex}`; unique per call. */
export function fakeTriggerId(): string {
  return `${Date.now()}.${String(nextSeq()).padStart(10, '0')}.${randomBytes(16).toString('hex')}`;
}

/** Slack's action_ts / event_ts format: seconds with micros. */
function fakeTs(): string {
  const micros = Date.now() * 1000 + (nextSeq() % 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

function defaultResponseUrl(kind: string, responseUrlFor?: (id: string) => string): string {
  return responseUrlFor ? responseUrlFor(`${kind}-${nextSeq()}`) : NOWHERE_RESPONSE_URL;
}

// ---------------------------------------------------------------------------------------
// Payload builders

export function slashCommandFields(
  fields: Partial<SlashCommandFields> = {},
  responseUrlFor?: (id: string) => string,
): SlashCommandFields {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: FAKE_TEAM.id,
    team_domain: FAKE_TEAM.domain,
    channel_id: DEFAULT_CHANNEL.id,
    channel_name: DEFAULT_CHANNEL.name,
    user_id: DEFAULT_USER.id,
    user_name: DEFAULT_USER.name,
    command: '/runbook',
    text: '',
    api_app_id: FAKE_APP_ID,
    is_enterprise_install: 'false',
    response_url: defined.response_url ?? defaultResponseUrl('command', responseUrlFor),
    trigger_id: defined.trigger_id ?? fakeTriggerId(),
    ...defined,
  };
}

function userObject(id: string, name?: string) {
  const username = name ?? id.toLowerCase();
  return { id, username, name: username, team_id: FAKE_TEAM.id };
}

export interface BlockActionInput {
  user?: string;
  userName?: string;
  channel?: string;
  /** The message the button is on. */
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  /** The button's label. */
  text?: string;
  actionTs?: string;
  triggerId?: string;
  responseUrl?: string;
  /** The clicked message as Slack echoes it back (e.g. from `fake.message(channel, ts)`). */
  message?: { text?: string; blocks?: unknown[]; thread_ts?: string };
  isEphemeral?: boolean;
}

/** A `block_actions` payload for a button clicked on a message. */
export function blockActionPayload(input: BlockActionInput) {
  const channel = input.channel ?? DEFAULT_CHANNEL.id;
  const blockId = input.blockId ?? 'actions';
  return {
    type: 'block_actions',
    user: userObject(input.user ?? DEFAULT_USER.id, input.userName ?? (input.user ? undefined : DEFAULT_USER.name)),
    api_app_id: FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.messageTs, channel_id: channel, is_ephemeral: input.isEphemeral ?? false },
    trigger_id: input.triggerId ?? fakeTriggerId(),
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: channel === DEFAULT_CHANNEL.id ? DEFAULT_CHANNEL.name : channel.toLowerCase() },
    message: {
      type: 'message',
      subtype: 'bot_message',
      user: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      app_id: FAKE_APP_ID,
      team: FAKE_TEAM.id,
      ts: input.messageTs,
      text: input.message?.text ?? '',
      blocks: input.message?.blocks ?? [],
      ...(input.message?.thread_ts !== undefined && { thread_ts: input.message.thread_ts }),
    },
    state: { values: {} },
    response_url: input.responseUrl ?? NOWHERE_RESPONSE_URL,
    actions: [
      {
        action_id: input.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: input.text ?? input.actionId, emoji: true },
        ...(input.value !== undefined && { value: input.value }),
        type: 'button',
        action_ts: input.actionTs ?? fakeTs(),
      },
    ],
  };
}

export interface ViewActionInput {
  user: string;
  userName?: string;
  actionId: string;
  blockId: string;
  value?: string;
  selectedOption?: { text: unknown; value: string };
  /** The modal or Home view as the fake holds it (its id, hash, blocks, callback_id, …). */
  view: Record<string, unknown>;
  triggerId?: string;
}

/** A `block_actions` payload for a button or select inside a modal or the App Home tab. */
export function viewActionPayload(input: ViewActionInput) {
  const element = input.selectedOption
    ? { type: 'static_select', selected_option: input.selectedOption }
    : { type: 'button', text: { type: 'plain_text', text: input.actionId, emoji: true }, ...(input.value !== undefined && { value: input.value }) };
  return {
    type: 'block_actions',
    user: userObject(input.user, input.userName),
    api_app_id: FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    container: { type: 'view', view_id: input.view.id },
    trigger_id: input.triggerId ?? fakeTriggerId(),
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    view: input.view,
    actions: [{ action_id: input.actionId, block_id: input.blockId, ...element, action_ts: fakeTs() }],
  };
}

export interface ViewSubmissionInput {
  user?: string;
  userName?: string;
  callbackId: string;
  privateMetadata?: string;
  /** `state.values`: block_id → action_id → element state; see plainTextInputValues. */
  values?: Record<string, Record<string, unknown>>;
  viewId?: string;
  hash?: string;
  /** The modal's blocks as opened (e.g. `fake.view(id)?.view.blocks`). */
  blocks?: unknown[];
  title?: string;
  triggerId?: string;
}

/** A `view_submission` payload for a modal. */
export function viewSubmissionPayload(input: ViewSubmissionInput) {
  const viewId = input.viewId ?? `V${String(nextSeq()).padStart(9, '0')}`;
  return {
    type: 'view_submission',
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    user: userObject(input.user ?? DEFAULT_USER.id, input.userName ?? (input.user ? undefined : DEFAULT_USER.name)),
    api_app_id: FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? fakeTriggerId(),
    view: {
      id: viewId,
      team_id: FAKE_TEAM.id,
      type: 'modal',
      blocks: input.blocks ?? [],
      private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId,
      state: { values: input.values ?? {} },
      hash: input.hash ?? `${fakeTs()}.fakehash`,
      title: { type: 'plain_text', text: input.title ?? 'Runbook', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: { type: 'plain_text', text: 'Cancel', emoji: true },
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: FAKE_APP_ID,
      external_id: '',
      app_installed_team_id: FAKE_TEAM.id,
      bot_id: FAKE_BOT.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** `state.values` for plain-text inputs: `{ blockId: text }` → `{ blockId: { [actionId]: { type, value } } }`. */
export function plainTextInputValues(byBlockId: Record<string, string | null>, actionId = 'value') {
  return Object.fromEntries(
    Object.entries(byBlockId).map(([blockId, value]) => [blockId, { [actionId]: { type: 'plain_text_input', value } }]),
  );
}

export interface AppHomeOpenedInput {
  user?: string;
  /** The user's DM channel with the app. */
  channel?: string;
  /** The Home view currently published, if any; Slack includes it. */
  view?: Record<string, unknown>;
}

/** An `event_callback` envelope carrying `app_home_opened` for the Home tab. */
export function appHomeOpenedEvent(input: AppHomeOpenedInput = {}) {
  const eventTs = fakeTs();
  return {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: FAKE_TEAM.id,
    api_app_id: FAKE_APP_ID,
    event: {
      type: 'app_home_opened',
      user: input.user ?? DEFAULT_USER.id,
      channel: input.channel ?? `D0${(input.user ?? DEFAULT_USER.id).slice(1)}`,
      tab: 'home',
      event_ts: eventTs,
      ...(input.view !== undefined && { view: input.view }),
    },
    type: 'event_callback',
    event_id: `Ev${String(nextSeq()).padStart(9, '0')}`,
    event_time: Math.floor(Number(eventTs)),
    authorizations: [
      { enterprise_id: null, team_id: FAKE_TEAM.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
}
