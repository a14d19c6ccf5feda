// `POST /alerts/alertmanager` (Alertmanager's webhook, version 4, or Grafana's, version 1;
// `/alerts/grafana` is the same) and `POST /alerts` (one generic JSON alert): a bearer token from the environment, the body parsed and checked
// before anything is stored, one stored alert per fingerprint however often it is sent.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../logger.js';
import type { AlertStore, ReceiveOutcome, StoredAlert } from '../models/alert-store.js';
import type { Alert } from './alert.js';
import { parseAlertmanagerWebhook, parseGenericAlert, type ParseResult } from './parse/index.js';

/** Alertmanager batches alerts per group; a body this size is far past any real group. */
export const MAX_BODY_BYTES = 1024 * 1024;

const ROUTES: Record<string, (body: unknown) => ParseResult<{ alerts: Alert[] }>> = {
  '/alerts/alertmanager': parseAlertmanagerWebhook,
  '/alerts/grafana': parseAlertmanagerWebhook,
  '/alerts': parseGenericAlert,
};

export interface AlertWebhookOptions {
  /** Undefined: the endpoints answer 503 and say how to turn them on. */
  token: string | undefined;
  /** Where webhook alerts are posted in Slack. */
  channel: string | null;
  store: Pick<AlertStore, 'receive'>;
  logger: Logger;
  /** Told of each stored notification, after it is stored (suggestion cards hang off this). */
  onReceived?: (received: { outcome: ReceiveOutcome; alert: StoredAlert }) => Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Returns a request listener that answers the alert routes and returns false for any other path. */
export function createAlertWebhooks(opts: AlertWebhookOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const expected = opts.token === undefined ? null : digest(opts.token);

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const authorized = (req: IncomingMessage): boolean => {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    // Compared as digests so the check takes the same time whatever the token's length.
    return expected !== null && match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, parse: (body: unknown) => ParseResult<{ alerts: Alert[] }>): Promise<void> {
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (expected === null) return reply(res, 503, { error: 'alert webhooks are off: set ALERTS_TOKEN to turn them on' });
    if (!authorized(req)) return reply(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
    const text = await readBody(req);
    if (text === null) return reply(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return reply(res, 400, { error: `body is not JSON: ${(error as Error).message}` });
    }
    const parsed = parse(body);
    if (!parsed.ok) return reply(res, 400, { error: 'not an alert this endpoint reads', problems: parsed.problems });
    const results = [];
    for (const alert of parsed.alerts) {
      const received = await opts.store.receive(alert, { channel: opts.channel });
      results.push({ fingerprint: alert.fingerprint, type: alert.type, status: alert.status, outcome: received.outcome });
      await opts.onReceived?.({ outcome: received.outcome, alert: received.alert }).catch((error: unknown) =>
        opts.logger.error('alert stored, but acting on it failed', { fingerprint: alert.fingerprint, error }),
      );
    }
    reply(res, 200, { alerts: results });
  }

  return (req, res) => {
    const parse = ROUTES[(req.url ?? '').split('?')[0] ?? ''];
    if (!parse) return false;
    handle(req, res, parse).catch((error: unknown) => {
      opts.logger.error('alert webhook failed', { error });
      if (!res.headersSent) reply(res, 500, { error: 'the alert could not be stored; send it again' });
    });
    return true;
  };
}

/** The body as text, or null once it passes MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
