// Slack's Web API, faked at its HTTP boundary so the bot's real WebClient (and Bolt's
// respond()) run unmodified against it: the tests' Slack and the sandbox's (src/sandbox). Requests are parsed the way @slack/web-api sends
// them (form-urlencoded, nested fields JSON-stringified), answers use Slack's shapes, and
// enough state (messages, views) is kept for tests to assert what a user would see.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

/** The one workspace the fake plays; slack-requests.ts builds payloads from the same ids. */
export const FAKE_TEAM = { id: 'T0FAKE', domain: 'fake-ops', name: 'Fake Ops' } as const;
export const FAKE_APP_ID = 'A0RUNBOOK';
export const FAKE_BOT = { userId: 'UBOT', botId: 'B0RUNBOOK', name: 'runbook-bot' } as const;

/** Pseudo-method for fail(): makes POSTs to response URLs fail instead of an API method. */
export const RESPONSE_URL = 'response_url';

// WebClient JSON-stringifies every non-scalar argument; these are the ones Slack documents
// as JSON, so they are parsed back into objects for assertions.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);

export interface FakeSlackUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  is_private: boolean;
}

export interface FakeSlackOptions {
  /** usergroup id → member user ids, for usergroups.users.list (unknown ids: `no_such_subteam`). */
  usergroups?: Record<string, string[]>;
  /** users.info answers; unknown users get a synthesized profile (name = lower-cased id, tz UTC). */
  users?: Record<string, Partial<Omit<FakeSlackUser, 'id'>>>;
  /** conversations.info answers; unknown channels get a synthesized public channel. */
  channels?: Record<string, Partial<Omit<FakeSlackChannel, 'id'>>>;
}

export interface FakeSlackCall {
  method: string;
  /** Decoded arguments: form scalars stay strings (as Slack gets them); JSON fields are objects. `token` is removed. */
  args: Record<string, unknown>;
  /** From `Authorization: Bearer …`. */
  token: string | undefined;
  contentType: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  status: number;
  /** The JSON answered; undefined for an injected non-JSON HTTP error. */
  result: Record<string, unknown> | undefined;
  /** HTTP 200 and `ok: true`. */
  ok: boolean;
  failed: boolean;
  /** The failure came from fail(), not from the fake's own checks. */
  injected: boolean;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  user: string;
  bot_id: string;
  /** The name another app posted under (an Alertmanager webhook's "AlertManager"). */
  username?: string;
  /** Set by chat.update. */
  edited?: { user: string; ts: string };
  /** Message metadata the poster attached (returned by conversations.replies with include_all_metadata). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
}

export interface FakeView {
  id: string;
  hash: string;
  /** Set for App Home views (views.publish). */
  user_id?: string;
  view: Record<string, unknown>;
}

export interface FakeResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FailureSpec {
  /** How many consecutive requests fail (default 1). */
  times?: number;
  /** 429 (with Retry-After) or any other HTTP status; omit with `error` for an HTTP 200 `ok:false`. */
  status?: number;
  /** For 429; default 1. */
  retryAfterSeconds?: number;
  /** Slack error code answered as `{ ok: false, error }`. */
  error?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface WaitForCallOptions extends WaitOptions {
  /** Only calls recorded at or after this index (e.g. a `fake.calls.length` taken earlier). */
  since?: number;
  /** Match failed attempts too (by default only `ok` calls count). */
  includeFailed?: boolean;
}

/** What subscribe() hears, once the answer is on the wire. */
export type FakeSlackEvent = { kind: 'call'; call: FakeSlackCall } | { kind: 'response'; response: FakeResponse };

export type CallPredicate<T> = (calls: readonly FakeSlackCall[]) => T | undefined | null | false;
export type MethodHandler = (args: Record<string, unknown>, call: { token: string }) => Record<string, unknown>;

export interface FakeSlack {
  /** Ends in `/`, ready for SLACK_API_URL / WebClient's slackApiUrl. */
  apiUrl: string;
  /** The server's origin, `http://127.0.0.1:PORT`. */
  url: string;
  /** Live array: reset() empties it in place, so a saved `calls.length` is a valid `since`. */
  calls: readonly FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  messages(channel?: string): FakeMessage[];
  message(channel: string, ts: string): FakeMessage | undefined;
  /** Replies in a thread, oldest first, without the parent. */
  threadReplies(channel: string, ts: string): FakeMessage[];
  ephemerals(channel?: string): FakeEphemeral[];
  views(): FakeView[];
  view(id: string): FakeView | undefined;
  homeView(userId: string): FakeView | undefined;
  responseUrl(id: string): string;
  responses(id?: string): FakeResponse[];
  fail(method: string, spec?: FailureSpec): void;
  /** Adds or replaces a method's answer; throw FakeSlackError for `ok:false`. */
  handle(method: string, handler: MethodHandler): void;
  /** Drops the failures still queued for `method` (every method when omitted). */
  clearFailures(method?: string): void;
  setUsergroup(id: string, users: string[]): void;
  waitFor<T>(predicate: CallPredicate<T>, opts?: WaitOptions): Promise<T>;
  waitForCall(method: string, match?: (args: Record<string, unknown>) => boolean, opts?: WaitForCallOptions): Promise<FakeSlackCall>;
  waitForResponse(id?: string, opts?: WaitOptions): Promise<FakeResponse>;
  /** A message someone other than the bot posted (a person, another app); gets the next ts. */
  record(message: Omit<FakeMessage, 'ts'>): FakeMessage;
  /** What a response URL's replace_original does: new text and blocks, marked edited. */
  edit(channel: string, ts: string, content: { text?: string; blocks?: unknown[] }): FakeMessage | undefined;
  /** What a response URL's delete_original does. */
  remove(channel: string, ts: string): boolean;
  /** Hears every API call and response-URL post after it was answered; returns the unsubscribe. */
  subscribe(listener: (event: FakeSlackEvent) => void): () => void;
  /** Forgets calls, state, failures and handle()/setUsergroup() changes; pending waits keep waiting. */
  reset(): void;
  close(): Promise<void>;
}

/** Throw from a handler to answer `{ ok: false, error: code }`. */
export class FakeSlackError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: Record<string, unknown>;
  text?: string;
  injected?: boolean;
}

interface State {
  calls: FakeSlackCall[];
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  views: Map<string, FakeView>;
  usedTriggers: Set<string>;
  responses: FakeResponse[];
  failures: Map<string, FailureSpec[]>;
  usergroups: Map<string, string[]>;
  handlers: Map<string, MethodHandler>;
  lastTsMicros: bigint;
  viewSeq: number;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const state = freshState(opts);
  const waiters = new Set<Waiter>();
  const listeners = new Set<(event: FakeSlackEvent) => void>();
  const notify = (event?: FakeSlackEvent) => {
    for (const w of [...waiters]) w.check();
    if (event) for (const listener of [...listeners]) listener(event);
  };

  const server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => {
      // A bug in the fake must not look like a Slack answer: 500 with the reason.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake-slack crashed: ${(e as Error).stack ?? String(e)}`);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const body = await readBody(req);
    if (req.method === 'POST' && path.startsWith('/api/')) {
      return answerApi(req, res, path.slice('/api/'.length), body, at);
    }
    if (req.method === 'POST' && path.startsWith('/response/')) {
      return answerResponseUrl(req, res, decodeURIComponent(path.slice('/response/'.length)), body, at);
    }
    send(res, { status: 404, text: 'not found' });
  }

  function answerApi(req: IncomingMessage, res: ServerResponse, method: string, body: string, at: number): void {
    const contentType = req.headers['content-type'];
    const args = parseArgs(contentType, body);
    const token = bearerToken(req.headers.authorization);
    const answer =
      takeFailure(state, method) ??
      (args === undefined ? okFalse('invalid_form_data') : callMethod(state, opts, method, args, token));
    const ok = answer.status === 200 && answer.json?.ok === true;
    const call: FakeSlackCall = {
      method,
      args: args ?? {},
      token,
      contentType,
      at,
      status: answer.status,
      result: answer.json,
      ok,
      failed: !ok,
      injected: answer.injected === true,
    };
    state.calls.push(call);
    send(res, answer, { kind: 'call', call });
  }

  function answerResponseUrl(req: IncomingMessage, res: ServerResponse, id: string, body: string, at: number): void {
    const failure = takeFailure(state, RESPONSE_URL);
    if (failure) return send(res, failure);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Slack's response URLs take JSON only; anything else is a client bug worth seeing.
      return send(res, { status: 400, text: 'invalid_payload' });
    }
    const response = { id, body: parsed as Record<string, unknown>, at };
    state.responses.push(response);
    send(res, { status: 200, json: { ok: true } }, { kind: 'response', response });
  }

  function send(res: ServerResponse, answer: Answer, event?: FakeSlackEvent): void {
    // Waiters run once the answer is on the wire, so a resolved wait never races the client
    // still reading a response the test is about to depend on.
    res.once('finish', () => notify(event));
    if (answer.json !== undefined) {
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(JSON.stringify(answer.json));
    } else {
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
      res.end(answer.text ?? '');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: () => string): Promise<T> {
    // Created here so a timeout's stack points at the test that waited, not at a timer.
    const error = new Error('waiting');
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check() {
          let value: T | undefined | null | false;
          try {
            value = probe();
          } catch (e) {
            finish();
            return reject(e);
          }
          if (value) {
            finish();
            resolve(value);
          }
        },
        abort(reason) {
          finish();
          error.message = reason;
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiter.abort(`${what()} within ${timeoutMs} ms.\n${describeCalls(state.calls)}`);
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter.check();
    });
  }

  return {
    apiUrl: `${url}/api/`,
    url,
    calls: state.calls,
    callsTo: (method) => state.calls.filter((c) => c.method === method),
    messages: (channel) => state.messages.filter((m) => channel === undefined || m.channel === channel),
    message: (channel, ts) => findMessage(state, channel, ts),
    threadReplies: (channel, ts) => state.messages.filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts),
    ephemerals: (channel) => state.ephemerals.filter((m) => channel === undefined || m.channel === channel),
    views: () => [...state.views.values()],
    view: (id) => state.views.get(id),
    homeView: (userId) => [...state.views.values()].find((v) => v.user_id === userId),
    responseUrl: (id) => `${url}/response/${encodeURIComponent(id)}`,
    responses: (id) => state.responses.filter((r) => id === undefined || r.id === id),
    fail(method, spec = {}) {
      const times = spec.times ?? 1;
      const queue = state.failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(spec);
      state.failures.set(method, queue);
    },
    handle(method, handler) {
      state.handlers.set(method, handler);
    },
    clearFailures(method) {
      if (method === undefined) state.failures.clear();
      else state.failures.delete(method);
    },
    setUsergroup(id, users) {
      state.usergroups.set(id, [...users]);
    },
    waitFor(predicate, { timeoutMs = 5000 } = {}) {
      return waitUntil(() => predicate(state.calls), timeoutMs, () => 'waitFor: predicate never held');
    },
    waitForCall(method, match = () => true, { timeoutMs = 5000, since = 0, includeFailed = false } = {}) {
      const probe = () =>
        state.calls.find((c, i) => i >= since && c.method === method && (includeFailed || c.ok) && match(c.args));
      const what = () => `waitForCall: no ${includeFailed ? '' : 'successful '}${method} call${since ? ` from #${since}` : ''} matched`;
      return waitUntil(probe, timeoutMs, what);
    },
    waitForResponse(id, { timeoutMs = 5000 } = {}) {
      const probe = () => state.responses.find((r) => id === undefined || r.id === id);
      const what = () => `waitForResponse: nothing was posted to response URL ${id ?? '(any)'}`;
      return waitUntil(probe, timeoutMs, what);
    },
    record(message) {
      const recorded = { ...message, ts: nextTs(state) };
      state.messages.push(recorded);
      return recorded;
    },
    edit(channel, ts, content) {
      const message = findMessage(state, channel, ts);
      if (!message) return undefined;
      if (content.text !== undefined) message.text = content.text;
      if (content.blocks !== undefined) message.blocks = content.blocks;
      message.edited = { user: FAKE_BOT.userId, ts: nextTs(state) };
      return message;
    },
    remove(channel, ts) {
      const index = state.messages.findIndex((m) => m.channel === channel && m.ts === ts);
      if (index >= 0) state.messages.splice(index, 1);
      return index >= 0;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset() {
      Object.assign(state, { ...freshState(opts), calls: state.calls });
      state.calls.length = 0;
    },
    close() {
      for (const w of [...waiters]) w.abort('fake Slack closed while waiting');
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // WebClient's fetch keeps connections alive; without this close() would wait for them.
        server.closeAllConnections();
      });
    },
  };
}

interface Waiter {
  check(): void;
  abort(reason: string): void;
}

function freshState(opts: FakeSlackOptions): State {
  return {
    calls: [],
    messages: [],
    ephemerals: [],
    views: new Map(),
    usedTriggers: new Set(),
    responses: [],
    failures: new Map(),
    usergroups: new Map(Object.entries(opts.usergroups ?? {})),
    handlers: new Map(),
    lastTsMicros: 0n,
    viewSeq: 0,
  };
}

// ---------------------------------------------------------------------------------------
// Request parsing

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * undefined: a body Slack would refuse (multipart here, or malformed JSON). A `token` form
 * field is dropped: WebClient sends it there too when a call passes `token`, but the fake
 * authenticates by the Authorization header, which WebClient always sets.
 */
function parseArgs(contentType: string | undefined, body: string): Record<string, unknown> | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  let raw: Record<string, unknown>;
  if (type === 'application/x-www-form-urlencoded' || (type === '' && body === '')) {
    raw = { ...parseQuery(body) };
    for (const key of Object.keys(raw)) {
      const value = raw[key];
      if (JSON_FIELDS.has(key) && typeof value === 'string') raw[key] = parseJsonField(value);
    }
  } else if (type === 'application/json') {
    try {
      raw = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  const { token: _token, ...args } = raw;
  return args;
}

function parseJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // keep what was sent; Slack would answer invalid_blocks, tests will see the string
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return match?.[1];
}

// ---------------------------------------------------------------------------------------
// Answers

function okFalse(error: string, extra: Record<string, unknown> = {}): Answer {
  return { status: 200, json: { ok: false, error, ...extra } };
}

function takeFailure(state: State, method: string): Answer | undefined {
  const spec = state.failures.get(method)?.shift();
  if (!spec) return undefined;
  if (spec.status === 429) {
    const retryAfter = spec.retryAfterSeconds ?? 1;
    return { status: 429, headers: { 'retry-after': String(retryAfter) }, json: { ok: false, error: 'ratelimited' }, injected: true };
  }
  if (spec.status !== undefined && spec.status !== 200) {
    return { status: spec.status, text: spec.error ?? 'fake-slack injected failure', injected: true };
  }
  return { ...okFalse(spec.error ?? 'fatal_error'), injected: true };
}

function callMethod(
  state: State,
  opts: FakeSlackOptions,
  method: string,
  args: Record<string, unknown>,
  token: string | undefined,
): Answer {
  if (token === undefined) return okFalse('not_authed');
  // Socket Mode opens its connection with the app-level token; everything else takes the bot token.
  if (!token.startsWith(method === 'apps.connections.open' ? 'xapp-' : 'xoxb-')) return okFalse('invalid_auth');
  const handler = state.handlers.get(method) ?? builtInHandler(state, opts, method);
  if (!handler) return okFalse('unknown_method');
  try {
    return { status: 200, json: { ok: true, ...handler(args, { token }) } };
  } catch (e) {
    if (e instanceof FakeSlackError) return okFalse(e.code);
    throw e;
  }
}

function builtInHandler(state: State, opts: FakeSlackOptions, method: string): MethodHandler | undefined {
  const handlers: Record<string, MethodHandler> = {
    'auth.test': () => ({
      url: `https://${FAKE_TEAM.domain}.slack.com/`,
      team: FAKE_TEAM.name,
      user: FAKE_BOT.name,
      team_id: FAKE_TEAM.id,
      user_id: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => postMessage(state, args),
    'chat.update': (args) => updateMessage(state, args),
    'chat.postEphemeral': (args) => postEphemeral(state, args),
    'chat.getPermalink': (args) => {
      const channel = requireString(args, 'channel', 'channel_not_found');
      const ts = requireString(args, 'message_ts', 'message_not_found');
      return { channel, permalink: `https://fake.slack/archives/${channel}/p${ts.replace('.', '')}` };
    },
    'views.open': (args) => ({ view: openView(state, args) }),
    'views.push': (args) => ({ view: openView(state, args) }),
    'views.update': (args) => ({ view: updateView(state, args) }),
    'views.publish': (args) => ({ view: publishView(state, args) }),
    'usergroups.users.list': (args) => {
      const users = state.usergroups.get(requireString(args, 'usergroup', 'no_such_subteam'));
      if (!users) throw new FakeSlackError('no_such_subteam');
      return { users: [...users] };
    },
    'users.info': (args) => ({ user: userInfo(opts, requireString(args, 'user', 'user_not_found')) }),
    'conversations.info': (args) => ({ channel: channelInfo(opts, requireString(args, 'channel', 'channel_not_found')) }),
    'conversations.replies': (args) => threadOf(state, args),
  };
  return handlers[method];
}

function requireString(args: Record<string, unknown>, key: string, error: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value === '') throw new FakeSlackError(error);
  return value;
}

function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionalArray(args: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new FakeSlackError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_attachments');
  return value;
}

/** Slack's ts: seconds.micros, unique and increasing per workspace. */
function nextTs(state: State): string {
  const now = BigInt(Date.now()) * 1000n;
  state.lastTsMicros = now > state.lastTsMicros ? now : state.lastTsMicros + 1n;
  const seconds = state.lastTsMicros / 1_000_000n;
  const micros = state.lastTsMicros % 1_000_000n;
  return `${seconds}.${micros.toString().padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------
// Messages

function findMessage(state: State, channel: string, ts: string): FakeMessage | undefined {
  return state.messages.find((m) => m.channel === channel && m.ts === ts);
}

function messageJson(m: FakeMessage): Record<string, unknown> {
  const { channel: _channel, metadata: _metadata, ...rest } = m;
  return { type: 'message', subtype: 'bot_message', app_id: FAKE_APP_ID, team: FAKE_TEAM.id, ...rest };
}

function postMessage(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const channel = requireString(args, 'channel', 'channel_not_found');
  const text = optionalString(args, 'text');
  const blocks = optionalArray(args, 'blocks');
  const attachments = optionalArray(args, 'attachments');
  if (text === undefined && !blocks?.length && !attachments?.length) throw new FakeSlackError('no_text');
  const message: FakeMessage = {
    channel,
    ts: nextTs(state),
    ...(optionalString(args, 'thread_ts') !== undefined && { thread_ts: optionalString(args, 'thread_ts') }),
    ...(text !== undefined && { text }),
    ...(blocks !== undefined && { blocks }),
    ...(attachments !== undefined && { attachments }),
    ...(isMetadata(args.metadata) && { metadata: args.metadata }),
    user: FAKE_BOT.userId,
    bot_id: FAKE_BOT.botId,
  };
  state.messages.push(message);
  return { channel, ts: message.ts, message: messageJson(message) };
}

function isMetadata(value: unknown): value is NonNullable<FakeMessage['metadata']> {
  return typeof value === 'object' && value !== null && typeof (value as { event_type?: unknown }).event_type === 'string';
}

/** A thread, parent first, all on one page; metadata only when asked for, as Slack does. */
function threadOf(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const channel = requireString(args, 'channel', 'channel_not_found');
  const ts = requireString(args, 'ts', 'thread_not_found');
  const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
  const thread = state.messages.filter((m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts));
  if (thread.length === 0) throw new FakeSlackError('thread_not_found');
  return {
    messages: thread.map((m) => ({ ...messageJson(m), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) })),
    has_more: false,
    response_metadata: { next_cursor: '' },
  };
}

/** Like Slack: fields not sent keep their previous value. */
function updateMessage(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const channel = requireString(args, 'channel', 'channel_not_found');
  const ts = requireString(args, 'ts', 'message_not_found');
  const message = findMessage(state, channel, ts);
  if (!message) throw new FakeSlackError('message_not_found');
  const text = optionalString(args, 'text');
  const blocks = optionalArray(args, 'blocks');
  const attachments = optionalArray(args, 'attachments');
  if (text !== undefined) message.text = text;
  if (blocks !== undefined) message.blocks = blocks;
  if (attachments !== undefined) message.attachments = attachments;
  message.edited = { user: FAKE_BOT.userId, ts: nextTs(state) };
  return { channel, ts, text: message.text ?? '', message: messageJson(message) };
}

function postEphemeral(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const channel = requireString(args, 'channel', 'channel_not_found');
  const user = requireString(args, 'user', 'user_not_in_channel');
  const text = optionalString(args, 'text');
  const blocks = optionalArray(args, 'blocks');
  if (text === undefined && !blocks?.length) throw new FakeSlackError('no_text');
  const message_ts = nextTs(state);
  state.ephemerals.push({
    channel,
    user,
    message_ts,
    ...(optionalString(args, 'thread_ts') !== undefined && { thread_ts: optionalString(args, 'thread_ts') }),
    ...(text !== undefined && { text }),
    ...(blocks !== undefined && { blocks }),
  });
  return { message_ts };
}

// ---------------------------------------------------------------------------------------
// Views

function viewArg(args: Record<string, unknown>): Record<string, unknown> {
  const view = args.view;
  if (typeof view !== 'object' || view === null || Array.isArray(view)) throw new FakeSlackError('invalid_arguments');
  return view as Record<string, unknown>;
}

function viewJson(id: string, hash: string, view: Record<string, unknown>, rootId: string): Record<string, unknown> {
  return {
    id,
    team_id: FAKE_TEAM.id,
    private_metadata: '',
    callback_id: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    ...view,
    state: { values: {} },
    hash,
    root_view_id: rootId,
    previous_view_id: null,
    app_id: FAKE_APP_ID,
    app_installed_team_id: FAKE_TEAM.id,
    bot_id: FAKE_BOT.botId,
  };
}

function newViewId(state: State): { id: string; hash: string } {
  state.viewSeq += 1;
  const id = `V${String(state.viewSeq).padStart(9, '0')}`;
  return { id, hash: newHash(state) };
}

function newHash(state: State): string {
  return `${nextTs(state)}.fakehash`;
}

/** views.open / views.push: a trigger_id opens one view only, as in Slack. */
function openView(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const trigger = requireString(args, 'trigger_id', 'invalid_trigger_id');
  const view = viewArg(args);
  if (state.usedTriggers.has(trigger)) throw new FakeSlackError('exchanged_trigger_id');
  state.usedTriggers.add(trigger);
  const { id, hash } = newViewId(state);
  const json = viewJson(id, hash, view, id);
  state.views.set(id, { id, hash, view: json });
  return json;
}

function updateView(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const view = viewArg(args);
  const viewId = optionalString(args, 'view_id');
  const externalId = optionalString(args, 'external_id');
  const existing = viewId
    ? state.views.get(viewId)
    : [...state.views.values()].find((v) => externalId !== undefined && v.view.external_id === externalId);
  if (!existing) throw new FakeSlackError('not_found');
  const hash = optionalString(args, 'hash');
  if (hash !== undefined && hash !== existing.hash) throw new FakeSlackError('hash_conflict');
  existing.hash = newHash(state);
  existing.view = viewJson(existing.id, existing.hash, view, String(existing.view.root_view_id ?? existing.id));
  return existing.view;
}

function publishView(state: State, args: Record<string, unknown>): Record<string, unknown> {
  const userId = requireString(args, 'user_id', 'user_not_found');
  const view = viewArg(args);
  const existing = [...state.views.values()].find((v) => v.user_id === userId);
  const hash = optionalString(args, 'hash');
  if (existing && hash !== undefined && hash !== existing.hash) throw new FakeSlackError('hash_conflict');
  const { id, hash: newHashValue } = existing ? { id: existing.id, hash: newHash(state) } : newViewId(state);
  const json = viewJson(id, newHashValue, view, id);
  state.views.set(id, { id, hash: newHashValue, user_id: userId, view: json });
  return json;
}

// ---------------------------------------------------------------------------------------
// Directory

function userInfo(opts: FakeSlackOptions, id: string): Record<string, unknown> {
  const known = opts.users?.[id] ?? {};
  const name = known.name ?? id.toLowerCase();
  const real_name = known.real_name ?? name;
  const tz = known.tz ?? 'UTC';
  return {
    id,
    team_id: FAKE_TEAM.id,
    name,
    real_name,
    deleted: false,
    is_bot: false,
    tz,
    tz_label: tz,
    tz_offset: tzOffsetSeconds(tz),
    profile: { real_name, display_name: name },
  };
}

/** Slack's tz_offset: seconds east of UTC, right now. */
function tzOffsetSeconds(tz: string): number {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
  if (!match) return 0; // "GMT" alone means UTC
  const sign = match[1] === '-' ? -1 : 1;
  return sign * (Number(match[2]) * 3600 + Number(match[3]) * 60);
}

function channelInfo(opts: FakeSlackOptions, id: string): Record<string, unknown> {
  const known = opts.channels?.[id] ?? {};
  const isPrivate = known.is_private ?? false;
  return {
    id,
    name: known.name ?? id.toLowerCase(),
    is_channel: !isPrivate,
    is_group: isPrivate,
    is_im: false,
    is_private: isPrivate,
    is_archived: false,
    is_member: true,
    context_team_id: FAKE_TEAM.id,
  };
}

// ---------------------------------------------------------------------------------------
// Diagnostics

function describeCalls(calls: readonly FakeSlackCall[], last = 15): string {
  if (calls.length === 0) return 'No Slack calls were recorded.';
  const shown = calls.slice(-last);
  const lines = shown.map((c, i) => {
    const index = calls.length - shown.length + i;
    const outcome = c.ok ? 'ok' : `FAILED ${c.status}${c.result?.error ? ` ${String(c.result.error)}` : ''}${c.injected ? ' (injected)' : ''}`;
    return `  #${index} ${c.method} ${outcome} ${truncate(JSON.stringify(c.args), 200)}`;
  });
  const skipped = calls.length - shown.length;
  return `Recent Slack calls${skipped ? ` (last ${shown.length} of ${calls.length})` : ''}:\n${lines.join('\n')}`;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
