import mongoose from 'mongoose';

// One error type for the whole shell, in the manner of bolt-js's CodedError: code says
// what kind of failure it is (and so how to answer the user); message says what happened.
// One place (the bot's error handler, the API's) turns an AppError into a user message.

export const ErrorCode = {
  Conflict: 'conflict',
  Validation: 'validation',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  /** A step waits for an approval (a gate, a hybrid `act`): advancing it has to wait. */
  AwaitingApproval: 'awaiting_approval',
  Config: 'config',
  /** The database or Redis did not answer: the outcome of a write in flight is unknown. */
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

// MongoDB (and FerretDB) report a unique-index violation as code 11000: someone else
// wrote first, which for us is a conflict rather than a crash.
const DUPLICATE_KEY = 11000;

/**
 * True for a duplicate-key error, including a bulk write whose every failure is one (an
 * unordered insertMany of entries some of which were written before).
 */
export function isDuplicateKeyError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, writeErrors } = e as { code?: unknown; writeErrors?: { code?: unknown }[] };
  if (Array.isArray(writeErrors) && writeErrors.length > 0) return writeErrors.every((w) => w.code === DUPLICATE_KEY);
  return code === DUPLICATE_KEY;
}

// What the MongoDB driver, mongoose and ioredis throw when their server does not answer (down,
// paused, unreachable), as opposed to refusing a request.
// (A pool cleared after a network failure throws a MongoNetworkError too.)
const { MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError } = mongoose.mongo;
const MONGO_UNAVAILABLE = [MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, mongoose.Error.MongooseServerSelectionError];

/** Which store did not answer, if `e` says one did not. */
export function unavailableStore(e: unknown): 'database' | 'redis' | null {
  if (!(e instanceof Error)) return null;
  if (MONGO_UNAVAILABLE.some((type) => e instanceof type) || /buffering timed out after/.test(e.message)) return 'database';
  if (e.name === 'MaxRetriesPerRequestError' || e.message === 'Connection is closed.') return 'redis';
  return null;
}

const UNAVAILABLE_MESSAGE = {
  database: 'the database did not answer in time, so this may not have been applied; the run shows where it stands once the database is back. Try again in a minute',
  redis: 'the job queue (Redis) did not answer in time, so this may not have been applied; the run shows where it stands once Redis is back. Try again in a minute',
} as const;

/** Wraps anything thrown into an AppError, keeping the original as `cause`. */
export function asAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const store = unavailableStore(e);
  if (store) return new AppError(ErrorCode.Unavailable, UNAVAILABLE_MESSAGE[store], { cause: e, details: { store } });
  if (e instanceof Error) {
    const code = isDuplicateKeyError(e) ? ErrorCode.Conflict : ErrorCode.Internal;
    return new AppError(code, e.message, { cause: e });
  }
  return new AppError(ErrorCode.Internal, `non-error thrown: ${String(e)}`, { cause: e });
}

/** Start-up configuration is wrong; `problems` has one line per bad variable. */
export class ConfigError extends AppError {
  override name = 'ConfigError';
  readonly problems: string[];

  constructor(problems: string[]) {
    const n = problems.length;
    super(ErrorCode.Config, `invalid configuration (${n} problem${n === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
    this.problems = problems;
  }
}
