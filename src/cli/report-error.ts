// The one place where anything a command throws becomes what the user reads and the exit
// code: 1 for problems with the data (not found, conflict, invalid), 2 for the way the CLI
// was called (usage, configuration). Messages never carry a URI's password.
import { AppError, ConfigError, ErrorCode, asAppError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { UsageError } from './args.js';
import { EXIT_PROBLEMS, EXIT_USAGE } from './command.js';

export interface ErrorReport {
  lines: string[];
  exitCode: number;
}

/** Anything thrown → the lines for stderr and the exit code; `usage` is the command's. */
export function describeError(e: unknown, usage: readonly string[] = []): ErrorReport {
  if (e instanceof UsageError) return { lines: [redactSecrets(e.message), ...(usage.length ? ['', ...usage] : [])], exitCode: EXIT_USAGE };
  if (e instanceof ConfigError) return { lines: e.problems.map(redactSecrets), exitCode: EXIT_USAGE };
  const error = asAppError(e);
  return { lines: [redactSecrets(errorMessage(error))], exitCode: error.code === ErrorCode.Config ? EXIT_USAGE : EXIT_PROBLEMS };
}

/** One line for an error, for callers that keep going (import reports per file). */
export function errorMessage(e: unknown): string {
  const error = asAppError(e);
  switch (error.code) {
    case ErrorCode.NotFound:
      return redactSecrets(notFoundMessage(error));
    case ErrorCode.Internal:
      return redactSecrets(`error: ${error.message}`);
    default:
      // Conflict, validation, forbidden and config messages are written for people already.
      return redactSecrets(error.message);
  }
}

// The store names a missing runbook by what was looked for and where; say it in the CLI's words.
function notFoundMessage(error: AppError): string {
  const query = error.details?.query;
  if (typeof query !== 'string') return error.message;
  const company = error.details?.company;
  const where = typeof company === 'string' && company !== '' ? `company ${company} or global` : 'global';
  return `runbook "${query}" not found (no id, name or slug matches among ${where} runbooks)`;
}
