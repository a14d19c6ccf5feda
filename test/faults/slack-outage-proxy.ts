// Slack's Web API failing as a whole: a loopback proxy in front of the fake Slack that,
// while the outage is on, answers every /api/ call itself, alternately 429 (with
// Retry-After) and HTTP 500, and otherwise passes each request through unchanged. The fake
// then records only the calls that got through; the proxy records the ones it refused.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RefusedCall {
  method: string;
  status: 429 | 500;
  at: number;
}

export interface SlackOutageProxy {
  /** Ends in `/`: the bot's SLACK_API_URL. */
  apiUrl: string;
  /** Starts (true) or ends (false) the outage. */
  outage(on: boolean): void;
  /** Every call answered by the outage, oldest first. */
  refused: readonly RefusedCall[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `target` is the fake Slack's origin (`fake.url`). */
export async function startSlackOutageProxy(target: string, opts: { retryAfterSeconds: number }): Promise<SlackOutageProxy> {
  let down = false;
  let answered = 0;
  const refused: RefusedCall[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      if (down && path.startsWith('/api/')) {
        const method = path.slice('/api/'.length).split('?')[0] ?? '';
        const status = answered % 2 === 0 ? 429 : 500;
        answered += 1;
        refused.push({ method, status, at: Date.now() });
        if (status === 429) {
          res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(opts.retryAfterSeconds) });
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        } else {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('slack is having trouble');
        }
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
      }
      const upstream = await fetch(`${target}${path}`, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
      const out: Record<string, string> = {};
      for (const name of ['content-type', 'retry-after']) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(upstream.status, out);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`slack outage proxy failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    outage(on) {
      down = on;
    },
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
