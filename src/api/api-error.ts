// The one place an error becomes an API answer: AppError codes map to reference 002's
// statuses and codes; anything unexpected is logged with a reference and answered as a 500
// that says nothing changed.
import { randomUUID } from 'node:crypto';

import { asAppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ApiErrorCode, ErrorBody } from './schemas/common.js';

// The README's API section, in the repository the server was installed from.
const DOCS = 'README.md#api';

/** A refusal decided by the HTTP layer itself (authentication, limits, media type). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** validation_error: each problem with the path of the field at fault. */
    readonly problems?: { path: string; message: string }[],
    /** What else the error body says (a route's own fields, such as 001's missingPermissions). */
    readonly fields: Pick<ErrorBody['error'], 'missingPermissions'> = {},
  ) {
    super(message);
  }
}

/** A 422 naming every problem, as every validation refusal of the API does. */
export function validationError(problems: { path: string; message: string }[]): HttpError {
  return new HttpError(422, 'validation_error', problems.map((p) => `${p.path}: ${p.message}`).join('; '), {}, problems);
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

const BY_CODE: Partial<Record<ErrorCode, { status: number; code: ApiErrorCode }>> = {
  [ErrorCode.NotFound]: { status: 404, code: 'not_found' },
  [ErrorCode.Conflict]: { status: 409, code: 'conflict' },
  [ErrorCode.AwaitingApproval]: { status: 409, code: 'awaiting_approval' },
  [ErrorCode.Validation]: { status: 422, code: 'validation_error' },
  [ErrorCode.Forbidden]: { status: 403, code: 'forbidden' },
  [ErrorCode.Unavailable]: { status: 503, code: 'service_unavailable' },
};

export function errorAnswer(error: unknown, logger: Logger, context: Record<string, unknown> = {}): ErrorAnswer {
  if (error instanceof HttpError) {
    const problems = error.problems ? { problems: error.problems } : {};
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...problems, ...error.fields } }, headers: error.headers };
  }
  const appError = asAppError(error);
  const mapped = BY_CODE[appError.code];
  if (mapped) {
    const problems = appError.details?.problems as { path: string; message: string }[] | undefined;
    const approvers = appError.details?.approvers as string[] | undefined;
    return {
      status: mapped.status,
      body: {
        error: {
          code: mapped.code,
          message: appError.message,
          docs: DOCS,
          ...(problems ? { problems } : {}),
          ...(approvers ? { approvers } : {}),
        },
      },
      headers: appError.code === ErrorCode.Unavailable ? { 'retry-after': '30' } : {},
    };
  }
  const reference = randomUUID().slice(0, 8);
  logger.error('api request failed', { ...context, reference, error: appError.message });
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: `something went wrong on our side (reference ${reference}); nothing was changed` } },
    headers: {},
  };
}
