// Client for the sandbox server's JSON endpoints (same origin) and its event stream.
// Requests never throw for an HTTP error: the page shows what went wrong instead, so every
// call resolves to the server's answer or to a synthesized `{ ok: false, error }`.
import type { SandboxEvent, SandboxState, StateValues, TextObject } from './types.js';

/**
 * What every POST answers: `ok`, the HTTP status, and `error` (the server's, or ours when
 * it could not be reached). A refused modal submission adds `errors`: block_id → message.
 */
export interface ApiResult {
  ok: boolean;
  status: number;
  error?: string;
  errors?: Record<string, string>;
}

export interface SelectedOption {
  text: TextObject;
  value: string;
}

/** A click on a message's button or select. */
export interface MessageAction {
  user: string;
  channel: string;
  message_ts: string;
  action_id: string;
  block_id: string;
  value?: string;
  selected_option?: SelectedOption;
  thread_ts?: string;
}

/** A click in a view (App Home or a modal). */
export interface ViewAction {
  user: string;
  view_id: string;
  action_id: string;
  block_id: string;
  value?: string;
  selected_option?: SelectedOption;
}

export interface StreamHandlers {
  onEvent(event: SandboxEvent): void;
  /** Every (re)connect: the caller re-fetches state so nothing sent meanwhile is missed. */
  onOpen(): void;
  onError(): void;
}

export interface SandboxApi {
  /** `user` may be empty on first load, before the page knows who the users are. */
  state(user: string): Promise<SandboxState>;
  command(body: { user: string; channel: string; text: string }): Promise<ApiResult>;
  action(body: MessageAction | ViewAction): Promise<ApiResult>;
  submit(body: { user: string; view_id: string; values: StateValues }): Promise<ApiResult>;
  close(body: { user: string; view_id: string }): Promise<ApiResult>;
  alert(body: { channel: string }): Promise<ApiResult>;
  home(body: { user: string }): Promise<ApiResult>;
  /** Opens the event stream for `user`; returns a function that closes it. */
  subscribe(user: string, handlers: StreamHandlers): () => void;
}

const BASE = '/sandbox/api';

/** A GET the server answered with an error status (a 4xx for state: it does not know the user). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function postJson(path: string, body: unknown): Promise<ApiResult> {
  let res: Response;
  try {
    res = await fetch(`${BASE}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, error: `The sandbox server did not answer: ${String(err)}` };
  }
  const parsed: unknown = await res.json().catch(() => null);
  if (parsed !== null && typeof parsed === 'object' && 'ok' in parsed) {
    const answer = parsed as Partial<ApiResult>;
    return { ...answer, ok: answer.ok === true, status: typeof answer.status === 'number' ? answer.status : res.status };
  }
  return { ok: false, status: res.status, error: `HTTP ${res.status}` };
}

export const sandboxApi: SandboxApi = {
  async state(user) {
    const query = user === '' ? '' : `?user=${encodeURIComponent(user)}`;
    const res = await fetch(`${BASE}/state${query}`);
    if (!res.ok) {
      // The server's own words (e.g. which people it knows) help whoever reads the page.
      const answer: unknown = await res.json().catch(() => null);
      const said = answer !== null && typeof answer === 'object' && 'error' in answer ? `: ${String(answer.error)}` : '';
      throw new HttpError(res.status, `GET /sandbox/api/state answered HTTP ${res.status}${said}`);
    }
    return (await res.json()) as SandboxState;
  },
  command: (body) => postJson('command', body),
  action: (body) => postJson('action', body),
  submit: (body) => postJson('submit', body),
  close: (body) => postJson('close', body),
  alert: (body) => postJson('alert', body),
  home: (body) => postJson('home', body),
  subscribe(user, handlers) {
    const source = new EventSource(`${BASE}/events?user=${encodeURIComponent(user)}`);
    source.onopen = () => handlers.onOpen();
    source.onerror = () => handlers.onError();
    source.onmessage = (e: MessageEvent<string>) => {
      let event: SandboxEvent;
      try {
        event = JSON.parse(e.data) as SandboxEvent;
      } catch {
        return; // a comment or keep-alive line that is not ours
      }
      handlers.onEvent(event);
    };
    return () => source.close();
  },
};
