// What a tool is, for the runner: a name, a zod schema its input must pass, and a function
// that does the work on this machine and returns JSON whose field names verify conditions
// read (`disk_usage_percent`, `service_status`...). Built-in tools and custom tool modules
// (a module path in the runner config) have the same shape.
import type { z } from 'zod';

import type { JsonObject } from '../../engine/types.js';
import type { Machine } from '../machine.js';
import type { RunnerConfig } from '../runner-config.js';

export interface ToolContext {
  config: RunnerConfig;
  machine: Machine;
  /** Aborted when the call's time is up or the runner stops: long work should stop early. */
  signal: AbortSignal;
}

export interface Tool<Input = unknown> {
  /** snake_case, as steps name it in `tool:`. */
  name: string;
  description: string;
  /** Checked by the registry before run(); a failure names the field path. */
  input: z.ZodType<Input>;
  run(input: Input, ctx: ToolContext): Promise<JsonObject>;
}

/** A failure the tool explains itself (refused command, unknown service...): its message is shown as is. */
export class ToolError extends Error {
  override name = 'ToolError';
}
