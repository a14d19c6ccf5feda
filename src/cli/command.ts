// What every CLI command sees: line-based output and the environment (injected, so tests
// run the CLI in-process), plus the stores, opened only by the commands that need them.
import type { Actor } from '../engine/types.js';
import type { ApiKeyStore } from '../models/api-key-store.js';
import type { PermissionStore } from '../models/permission-store.js';
import type { RunbookStore } from '../models/runbook-store.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Relative FILE and DIR arguments are resolved against this. */
  cwd: string;
}

export interface CommandContext {
  io: CliIo;
  /** Loads the configuration and connects on first call (lint never does). */
  store(): Promise<RunbookStore>;
  /** The permission grants, on the same connection as store(). */
  permissions(): Promise<PermissionStore>;
  /** The API keys, on the same connection as store(). */
  apiKeys(): Promise<ApiKeyStore>;
  /** Who the changes are recorded as. */
  author(): Actor;
}

export interface CliCommand {
  name: string;
  /** One line for the command list in `help`. */
  summary: string;
  /** Synopsis without the program name, e.g. `export NAME [--version N]`. */
  usage: string;
  /** Option lines shown under the synopsis. */
  details?: readonly string[];
  /** Returns the exit code; throws UsageError, AppError or anything else for report-error. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;
