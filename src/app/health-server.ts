import { createServer, type RequestListener, type Server } from 'node:http';

export type ReadinessCheck = () => Promise<void>;

export interface HealthServer {
  server: Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /healthz`: the process is up. `GET /readyz`: every dependency answers; a 503 names
 * the ones that do not (never their URLs or credentials). Every other request goes to
 * `fallback` (Slack's events endpoint, later the API) when there is one.
 */
export async function startHealthServer(
  host: string,
  port: number,
  checks: Record<string, ReadinessCheck>,
  fallback?: RequestListener,
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (fallback && path !== '/healthz' && path !== '/readyz') return void fallback(req, res);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return reply(405, { error: 'method not allowed' });
    if (path === '/healthz') return reply(200, { status: 'ok' });
    if (path === '/readyz') {
      void Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await check().then(() => 'up', () => 'down')] as const),
      ).then((results) => {
        const status = Object.fromEntries(results);
        reply(results.every(([, state]) => state === 'up') ? 200 : 503, status);
      });
      return;
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
