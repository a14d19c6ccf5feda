// The sandbox's pages and its small JSON API under /sandbox, on the service's own port:
// the page (bundled at start from src/sandbox/web), its live event stream, and one POST per
// thing a person can do in Slack. Each POST is checked (schemas.ts), handed to the
// workspace, and answered with what the bot answered.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { z } from 'zod';

import { ErrorCode, isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createEventStream } from './event-stream.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from './people.js';
import { ActionBody, AlertBody, CloseBody, CommandBody, HomeBody, StateQuery, SubmitBody, UserQuery } from './schemas.js';
import { buildSandboxBundle } from './web-bundle.js';
import type { ActResult, Workspace } from './workspace.js';
import { FAKE_BOT, FAKE_TEAM } from './fake-slack.js';

export const SANDBOX_PATH = '/sandbox';
const BODY_LIMIT = 64 * 1024;

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>runbook-bot sandbox</title>
<link rel="stylesheet" href="${SANDBOX_PATH}/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="${SANDBOX_PATH}/app.js"></script>
</body>
</html>
`;

export function createSandboxHttp(workspace: Workspace, logger: Logger) {
  const events = createEventStream();
  workspace.onEvent((event, to) => events.send(event, to));
  let bundle: ReturnType<typeof buildSandboxBundle> | null = null;
  const assets = () => (bundle ??= buildSandboxBundle());

  const posts: Record<string, (body: unknown) => Promise<ActResult>> = {
    command: (body) => {
      const b = parse(CommandBody, body);
      return workspace.command(b.user, b.channel, b.text);
    },
    action: (body) => {
      const b = parse(ActionBody, body);
      const { user } = b;
      if (b.view_id !== undefined) {
        return workspace.viewAction(user, {
          viewId: b.view_id,
          actionId: b.action_id,
          blockId: b.block_id,
          ...(b.value !== undefined && { value: b.value }),
          ...(b.selected_option && { selectedOption: b.selected_option }),
        });
      }
      return workspace.messageAction(user, { channel: b.channel!, messageTs: b.message_ts!, actionId: b.action_id, blockId: b.block_id, ...(b.value !== undefined && { value: b.value }) });
    },
    submit: (body) => {
      const b = parse(SubmitBody, body);
      return workspace.submit(b.user, b.view_id, b.values);
    },
    close: async (body) => {
      const b = parse(CloseBody, body);
      workspace.closeView(b.user, b.view_id);
      return { ok: true, status: 200 };
    },
    alert: (body) => workspace.postSampleAlert(parse(AlertBody, body).channel),
    home: (body) => workspace.openHome(parse(HomeBody, body).user),
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    if (req.method === 'GET' && (path === SANDBOX_PATH || path === `${SANDBOX_PATH}/`)) {
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    }
    if (req.method === 'GET' && path === `${SANDBOX_PATH}/app.js`) {
      return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end((await assets()).js);
    }
    if (req.method === 'GET' && path === `${SANDBOX_PATH}/app.css`) {
      return void res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end((await assets()).css);
    }
    if (req.method === 'GET' && path === `${SANDBOX_PATH}/api/state`) {
      const { user } = parse(StateQuery, Object.fromEntries(query));
      return json(res, 200, {
        team: { id: FAKE_TEAM.id, name: FAKE_TEAM.name },
        bot: { user_id: FAKE_BOT.userId, name: FAKE_BOT.name },
        users: SANDBOX_USERS,
        channels: SANDBOX_CHANNELS,
        ...workspace.state(user ?? null),
      });
    }
    if (req.method === 'GET' && path === `${SANDBOX_PATH}/api/events`) {
      return events.open(parse(UserQuery, Object.fromEntries(query)).user, res);
    }
    const post = path.startsWith(`${SANDBOX_PATH}/api/`) ? posts[path.slice(`${SANDBOX_PATH}/api/`.length)] : undefined;
    if (!post) throw new BadRequest(`no sandbox route ${req.method} ${path}`, 404);
    if (req.method !== 'POST') throw new BadRequest(`${path} takes POST`, 405);
    const answer = await post(await readJson(req));
    return json(res, answer.ok || answer.errors ? 200 : 502, answer);
  }

  return {
    /** Takes /sandbox and everything under it; says whether it took this request. */
    route(req: IncomingMessage, res: ServerResponse): boolean {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname !== SANDBOX_PATH && !url.pathname.startsWith(`${SANDBOX_PATH}/`)) return false;
      handle(req, res, url.pathname, url.searchParams).catch((error: unknown) => {
        const status = error instanceof BadRequest ? error.status : isAppError(error) && error.code === ErrorCode.NotFound ? 404 : 500;
        if (status === 500) logger.error('sandbox request failed', { path: url.pathname, error: (error as Error).message });
        if (!res.headersSent) json(res, status, { ok: false, status, error: (error as Error).message });
        else res.end();
      });
      return true;
    },
    close: () => events.close(),
  };
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new BadRequest(problems.join('; '));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new BadRequest(`body over ${BODY_LIMIT} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body must be JSON');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
