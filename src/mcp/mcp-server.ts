// One MCP server per caller (an HTTP request's API key, or the stdio process's): the tools of
// tools.ts bound to that principal. The one place an error becomes a tool result: a refusal
// is an `isError` result that names the problem, so the agent can correct its call; an
// unexpected failure is logged with a reference and says nothing changed.
import { randomUUID } from 'node:crypto';

import { McpServer, type CallToolResult } from '@modelcontextprotocol/server';

import { asAppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../services/principal.js';
import { toolSchema } from './tool-schema.js';
import { MCP_TOOLS, type McpServices } from './tools.js';

const INSTRUCTIONS =
  'runbook-bot runs team procedures (runbooks) step by step. At session start call list_runs with status "running,paused" and resume with get_current_step. ' +
  'A gate step waits for a person: get_current_step shows its approval state and who may decide; you cannot approve it yourself.';

interface Waiting {
  current_step?: { label: string; approval: { state: string; approvers: string[] } | null } | null;
}

const approverList = (approvers: string[]): string => (approvers.length > 0 ? approvers.join(', ') : 'anyone in the run’s Slack channel');

/** What a person must do before the run can go on, when its current step is a gate still undecided. */
export function waitingForHuman(result: unknown): string | null {
  const step = (result as Waiting).current_step;
  if (!step?.approval || step.approval.state !== 'waiting') return null;
  return `Step "${step.label}" waits for a person to approve or reject it (approvers: ${approverList(step.approval.approvers)}). You cannot decide it; call get_current_step later, and once it shows approved or rejected, advance_step moves on with that decision.`;
}

function success(output: Record<string, unknown>): CallToolResult {
  const waiting = waitingForHuman(output);
  return {
    content: [...(waiting ? [{ type: 'text' as const, text: waiting }] : []), { type: 'text' as const, text: JSON.stringify(output) }],
    structuredContent: output,
  };
}

/** The run a tool call names (most take `run_id`), for its log line. */
function runIdIn(args: unknown): { run_id?: string } {
  const id = typeof args === 'object' && args !== null ? (args as { run_id?: unknown }).run_id : undefined;
  return typeof id === 'string' ? { run_id: id } : {};
}

export function toolError(error: unknown, logger: Logger, tool: string, args?: unknown): CallToolResult {
  const appError = asAppError(error);
  if (appError.code === ErrorCode.Internal || appError.code === ErrorCode.Config) {
    const reference = randomUUID().slice(0, 8);
    logger.error('mcp tool failed', { tool, ...runIdIn(args), reference, error: appError.message });
    return { isError: true, content: [{ type: 'text', text: `internal_error: something went wrong on our side (reference ${reference}); nothing was changed` }] };
  }
  const problems = appError.details?.problems as { path: string; message: string }[] | undefined;
  const approvers = appError.details?.approvers as string[] | undefined;
  const lines = [
    `${appError.code}: ${appError.message}`,
    ...(problems && problems.length > 1 ? problems.map((p) => `- ${p.path}: ${p.message}`) : []),
    ...(approvers ? [`approvers: ${approverList(approvers)}`] : []),
  ];
  return { isError: true, content: [{ type: 'text', text: lines.join('\n') }] };
}

export function createMcpServer(who: Principal, services: McpServices, opts: { version: string; logger: Logger }): McpServer {
  const server = new McpServer({ name: 'runbook-bot', version: opts.version }, { instructions: INSTRUCTIONS });
  for (const tool of MCP_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: toolSchema(tool.input),
        outputSchema: toolSchema(tool.output),
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (args: unknown) => {
        try {
          return success((await tool.call(who, args as never, services)) as Record<string, unknown>);
        } catch (error) {
          return toolError(error, opts.logger, tool.name, args);
        }
      },
    );
  }
  return server;
}
