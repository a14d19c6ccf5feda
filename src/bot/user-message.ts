// The one place an error becomes what the Slack user reads. Refusals (AppError codes the
// user can act on) are said as they are; anything else is logged with a reference the user
// can quote, and the user hears that nothing changed.
import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { asAppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { CommandTextError } from './command-text.js';
import { USAGE } from './views/help.js';
import { buildNotice } from './views/notice.js';
import type { SlackMessage } from './views/types.js';

const USER_FACING = new Set<string>([
  ErrorCode.Conflict,
  ErrorCode.Validation,
  ErrorCode.Forbidden,
  ErrorCode.NotFound,
  ErrorCode.AwaitingApproval,
  ErrorCode.Unavailable,
]);

/** The run the listener named, else the one the error names (the run service puts it in `details`). */
function runIdOf(context: Record<string, unknown>, error: { details?: Record<string, unknown> }): { run_id?: string } {
  const id = context.run_id ?? error.details?.run_id;
  return typeof id === 'string' ? { run_id: id } : {};
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
}

/**
 * `opts.usage`: the usage line of the command the user typed, quoted back with a refusal
 * (an unknown runbook, a draft one, an unknown variable) so the answer says what would work.
 */
export function userMessage(error: unknown, logger: Logger, context: Record<string, unknown> = {}, opts: { usage?: string } = {}): SlackMessage {
  if (error instanceof CommandTextError) {
    return buildNotice(error.message, { usage: error.subcommand ? USAGE[error.subcommand] : `${USAGE.help} (every subcommand)` });
  }
  if (error instanceof z.ZodError) return buildNotice(`that request is malformed: ${zodMessage(error)}`);
  const appError = asAppError(error);
  // A missing permission is not fixed by typing the command differently: no usage line.
  const usage = opts.usage && appError.code !== ErrorCode.Forbidden ? { usage: opts.usage } : {};
  if (USER_FACING.has(appError.code)) return buildNotice(appError.message, usage);
  const reference = randomUUID().slice(0, 8);
  logger.error('request failed', { ...context, ...runIdOf(context, appError), reference, error: appError.message });
  return buildNotice(`Something went wrong on our side (reference ${reference}); nothing was changed. Try again, or tell your admin the reference.`);
}
