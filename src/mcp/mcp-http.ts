// MCP over streamable HTTP at /mcp on the service's port: the same bearer API keys and
// per-key rate limit as the REST API, then the SDK's per-request handler, which builds one
// server (mcp-server.ts) for the key that asked. Stateless: any instance answers any request.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server';

import { errorAnswer, HttpError } from '../api/api-error.js';
import { bearerToken, MAX_BODY_BYTES, sendJson } from '../api/http-io.js';
import type { RateLimiter } from '../api/rate-limiter.js';
import type { Logger } from '../logger.js';
import { noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import type { Principal } from '../services/principal.js';
import { createMcpServer } from './mcp-server.js';
import type { McpServices } from './tools.js';

export const MCP_PATH = '/mcp';

export interface McpHttpDeps {
  services: McpServices;
  authenticate(token: string | null): Promise<Principal>;
  limiter: RateLimiter;
  logger: Logger;
  version: string;
  metrics?: Pick<MetricsRecorder, 'mcpRequest'>;
}

function principalOf(auth: AuthInfo | undefined): Principal {
  const who = auth?.extra?.principal as Principal | undefined;
  // The listener below sets it on every request it lets through.
  if (!who) throw new Error('MCP request without an authenticated principal');
  return { ...who, surface: 'mcp' };
}

/** A request listener for /mcp; returns false for any other path. */
export function createMcpHttp(deps: McpHttpDeps): { listener: (req: IncomingMessage, res: ServerResponse) => boolean; close(): Promise<void> } {
  const onerror = (error: Error) => deps.logger.warn('mcp request failed', { error: error.message });
  const handler = createMcpHandler(({ authInfo }) => createMcpServer(principalOf(authInfo), deps.services, { version: deps.version, logger: deps.logger }), {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror,
  });
  const node = toNodeHandler(handler, { onerror });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req);
    const who = await deps.authenticate(token);
    const limit = await deps.limiter.hit(who.actor.name ?? who.actor.id);
    if (!limit.allowed) {
      throw new HttpError(429, 'rate_limited', `rate limit of ${limit.limit} requests a minute reached; retry in ${limit.retryAfterSeconds} s`, {
        'retry-after': String(limit.retryAfterSeconds),
      });
    }
    const auth: AuthInfo = { token: token ?? '', clientId: who.actor.id, scopes: [...(who.scopes ?? [])], extra: { principal: who } };
    await node(Object.assign(req, { auth }), res);
  }

  return {
    listener(req, res) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== MCP_PATH) return false;
      res.once('finish', () => (deps.metrics ?? noMetrics).mcpRequest(res.statusCode));
      handle(req, res).catch((error: unknown) => {
        const answer = errorAnswer(error, deps.logger, { method: req.method, path });
        if (!res.headersSent) sendJson(res, answer.status, answer.body, answer.headers);
      });
      return true;
    },
    close: () => handler.close(),
  };
}
