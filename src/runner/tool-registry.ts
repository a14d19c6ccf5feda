// The tools one runner offers: the six built-ins plus the custom tool modules its config
// names. A call checks the input against the tool's schema, runs it and bounds the size of
// what it returns (output_limit_chars).
import { pathToFileURL } from 'node:url';

import type { JsonObject } from '../engine/types.js';
import { ConfigError } from '../errors.js';
import { limitOutput } from './output-limit.js';
import type { RunnerConfig } from './runner-config.js';
import { analyzeDiskUsageTool } from './tools/analyze-disk-usage.js';
import { analyzeMetricsTool } from './tools/analyze-metrics.js';
import { diskCleanupTool } from './tools/disk-cleanup.js';
import { httpCheckTool } from './tools/http-check.js';
import { formatIssues, issueMessage } from './tools/input-issues.js';
import { manageServicesTool } from './tools/manage-services.js';
import { runCommandTool } from './tools/run-command.js';
import { ToolError, type Tool, type ToolContext } from './tools/types.js';

export const BUILT_IN_TOOLS: readonly Tool[] = [
  analyzeDiskUsageTool,
  diskCleanupTool,
  manageServicesTool,
  analyzeMetricsTool,
  httpCheckTool,
  runCommandTool,
];

export interface ToolRegistry {
  names(): string[];
  /** Throws ToolError for an unknown tool, bad input, or a failure the tool explains. */
  call(name: string, rawInput: unknown, ctx: ToolContext): Promise<JsonObject>;
}

const TOOL_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong with `value` as a Tool, or null when it is one. */
function toolProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return ['it exports no tool (a default export or an export named "tool")'];
  const t = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof t.name !== 'string' || !TOOL_NAME.test(t.name)) problems.push('name must be a snake_case string');
  const input = t.input as { safeParse?: unknown } | null | undefined;
  if (typeof input?.safeParse !== 'function') problems.push('input must be a zod schema (with safeParse)');
  if (typeof t.run !== 'function') problems.push('run must be a function');
  return problems;
}

async function loadCustomTool(path: string): Promise<Tool> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`custom tool ${path}: cannot be loaded: ${(e as Error).message}`]);
  }
  const candidate = mod.default ?? mod.tool;
  const problems = toolProblems(candidate);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `custom tool ${path}: ${p}`));
  const tool = candidate as Tool;
  return { ...tool, description: typeof tool.description === 'string' ? tool.description : '' };
}

// Custom tools are only typed by convention: what they return is made plain JSON here
// (a Date becomes its string, undefined fields go), so the size bound and storage see JSON.
function asJsonObject(name: string, output: unknown): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(JSON.stringify(output) ?? 'null');
  } catch (e) {
    throw new ToolError(`tool ${name} returned something that is not JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ToolError(`tool ${name} returned ${Array.isArray(json) ? 'a list' : String(json === null ? 'null' : typeof json)}, not a JSON object`);
  }
  return json as JsonObject;
}

export async function createToolRegistry(config: RunnerConfig): Promise<ToolRegistry> {
  const tools = new Map(BUILT_IN_TOOLS.map((t) => [t.name, t]));
  for (const path of config.custom_tools) {
    const tool = await loadCustomTool(path);
    if (tools.has(tool.name)) {
      const whose = BUILT_IN_TOOLS.some((t) => t.name === tool.name) ? 'a built-in tool' : 'another custom tool';
      throw new ConfigError([`custom tool ${path}: the name "${tool.name}" is already taken by ${whose}`]);
    }
    tools.set(tool.name, tool);
  }

  return {
    names: () => [...tools.keys()],
    async call(name, rawInput, ctx) {
      const tool = tools.get(name);
      if (tool === undefined) throw new ToolError(`unknown tool "${name}" (available: ${[...tools.keys()].join(', ')})`);
      // A step without tool_input calls the tool with its defaults.
      const parsed = tool.input.safeParse(rawInput ?? {}, { error: issueMessage });
      if (!parsed.success) throw new ToolError(`invalid input for ${name}: ${formatIssues(parsed.error.issues, 'input').join('; ')}`);
      return limitOutput(asJsonObject(name, await tool.run(parsed.data, ctx)), ctx.config.output_limit_chars);
    },
  };
}
