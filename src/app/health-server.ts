import { createServer, type RequestListener, type Server } from 'node:http';

export type ReadinessCheck = () => Promise<void>;

/** What `GET /metrics` answers: Prometheus text from the app's registry. */
export interface MetricsExposition {
  contentType: string;
  render(): Promise<string>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  checks: Record<string, ReadinessCheck>;
  metrics?: MetricsExposition;
  /** Every other request (Slack's events endpoint, the API, MCP...). */
  fallback?: RequestListener;
}

export interface HealthServer {
  server: Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * `GET /healthz`: the process is up. `GET /readyz`: every dependency answers; a 503 names
 * the ones that do not (never their URLs or credentials). `GET /metrics`: Prometheus text.
 * Every other request goes to `fallback` when there is one.
 */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const { checks, metrics, fallback } = opts;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (fallback && !OPS_PATHS.has(path)) return void fallback(req, res);
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
    if (path === '/metrics' && metrics) {
      metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        () => reply(500, { error: 'metrics could not be collected' }),
      );
      return;
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
