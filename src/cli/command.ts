// What every CLI command sees: line-based output and the environment (injected, so tests
// run the CLI in-process), plus the stores, opened only by the commands that need them.
import type { Actor } from '../engine/types.js';
import type { ApiKeys } from '../services/api-keys.js';
import type { DeviceCredentials } from '../services/device-credentials.js';
import type { Permissions } from '../services/permissions.js';
import type { Principal } from '../services/principal.js';
import type { Runbooks } from '../services/runbooks.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Relative FILE and DIR arguments are resolved against this. */
  cwd: string;
}

export interface CommandContext {
  io: CliIo;
  /** The runbooks service; loads the configuration and connects on first call (lint never does). */
  runbooks(): Promise<Runbooks>;
  /** Permission and role grants, on the same connection as runbooks(). */
  permissions(): Promise<Permissions>;
  /** The API keys, on the same connection as runbooks(). */
  apiKeys(): Promise<ApiKeys>;
  /** Device credentials for runners, on the same connection as runbooks(). */
  deviceCredentials(): Promise<DeviceCredentials>;
  /** Who the changes are recorded as. */
  author(): Actor;
  /** The same person, as the services take them: the CLI holds the database credentials, so it is admin. */
  who(): Principal;
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
