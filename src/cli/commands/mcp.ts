// `mcp`: MCP over stdio for agents that start a local process. stdout is the protocol's
// channel, so this command prints nothing there; problems go to stderr.
import { createRequire } from 'node:module';

import { z } from 'zod';

import { ConfigError } from '../../errors.js';
import { serveMcpStdio } from '../../mcp/mcp-stdio.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

const McpArgs = z.object({ options: z.object({}), positionals: z.array(z.string()).max(0, 'takes no arguments') });

const McpEnv = z.object({
  RUNBOOK_BOT_API_KEY: z.string({ error: 'is not set: create a key with `runbook-bot apikey create NAME` and export it' }).min(1, { error: 'is empty' }),
  RUNBOOK_BOT_URL: z.url({ protocol: /^https?$/, error: 'must be the service’s http(s) URL, e.g. http://127.0.0.1:3000' }).optional(),
  PORT: z.string().regex(/^\d+$/).optional(),
});

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'serve the MCP tools over stdio, relayed to the running service',
  usage: 'mcp',
  details: [
    'RUNBOOK_BOT_API_KEY   the API key the tools act as (required)',
    'RUNBOOK_BOT_URL       the service (default http://127.0.0.1:$PORT, PORT default 3000)',
    'Serves until the client closes stdin. The service must be running (npm start).',
  ],
  async run(argv, ctx) {
    parseArgs(argv, {}, McpArgs);
    const env = McpEnv.safeParse(ctx.io.env);
    if (!env.success) throw new ConfigError(env.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')} ${issue.message}`));
    const url = env.data.RUNBOOK_BOT_URL ?? `http://127.0.0.1:${env.data.PORT ?? '3000'}`;
    const closed = new Promise<void>((done) => {
      process.stdin.once('close', done);
      process.stdin.once('end', done);
      process.once('SIGTERM', done);
      process.once('SIGINT', done);
    });
    const served = await serveMcpStdio({ url, key: env.data.RUNBOOK_BOT_API_KEY, version: VERSION });
    ctx.io.stderr(`runbook-bot mcp: serving stdio, relayed to ${url}/mcp`);
    await closed;
    await served.close();
    return EXIT_OK;
  },
};
