// `runbook-bot mcp`: MCP over stdio for clients that start a local process (Claude Desktop,
// IDEs). It relays tools/list and tools/call to the service's /mcp with the key from
// RUNBOOK_BOT_API_KEY, so the tools, their checks and the runs are the service's own, and
// the agent's machine holds an API key, never the database's or Redis's credentials.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Transport } from '@modelcontextprotocol/server';

import { MCP_PATH } from './mcp-http.js';

export interface McpStdioOptions {
  /** The service, e.g. http://127.0.0.1:3000. */
  url: string;
  key: string;
  version: string;
  /** Tests give an in-memory pair; by default the process's stdin and stdout. */
  transport?: Transport;
}

/** Connects to the service (failing at once on a wrong URL or key), then serves stdio until the client goes. */
export async function serveMcpStdio(options: McpStdioOptions): Promise<{ close(): Promise<void> }> {
  const client = new Client({ name: 'runbook-bot-mcp-stdio', version: options.version });
  const endpoint = new URL(MCP_PATH, options.url);
  await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers: { authorization: `Bearer ${options.key}` } } }));
  const instructions = client.getInstructions();
  const handle = serveStdio(
    () => {
      const server = new Server({ name: 'runbook-bot', version: options.version }, { capabilities: { tools: {} }, ...(instructions ? { instructions } : {}) });
      server.setRequestHandler('tools/list', (request) => client.listTools(request.params));
      server.setRequestHandler('tools/call', (request) => client.callTool(request.params));
      return server;
    },
    options.transport ? { transport: options.transport } : {},
  );
  return {
    async close() {
      await handle.close();
      await client.close();
    },
  };
}
