import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';

import { errorAnswer } from '../src/api/api-error.js';
import { userMessage } from '../src/bot/user-message.js';
import { AppError, asAppError, ConfigError, ErrorCode, isAppError, isDuplicateKeyError, unavailableStore } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';

describe('asAppError', () => {
  it('returns an AppError unchanged', () => {
    const e = new AppError(ErrorCode.NotFound, 'no runbook "deploy"', { details: { name: 'deploy' } });

    expect(asAppError(e)).toBe(e);
  });

  it('wraps any other Error as internal, keeping it as the cause', () => {
    const cause = new TypeError('boom');
    const e = asAppError(cause);

    expect(e).toMatchObject({ code: ErrorCode.Internal, message: 'boom', cause });
  });

  it('turns a duplicate-key error (code 11000) into a conflict', () => {
    const dup = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });

    expect(asAppError(dup).code).toBe(ErrorCode.Conflict);
  });

  it('wraps a thrown non-error', () => {
    expect(asAppError('oops')).toMatchObject({ code: ErrorCode.Internal, message: 'non-error thrown: oops' });
  });
});

describe('isDuplicateKeyError', () => {
  it('recognises a single duplicate and a bulk write whose every failure is a duplicate', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [{ code: 11000 }, { code: 11000 }] })).toBe(true);
  });

  it('rejects a bulk write with any other failure, and anything else', () => {
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [{ code: 11000 }, { code: 2 }] })).toBe(false);
    expect(isDuplicateKeyError({ code: 2 })).toBe(false);
    expect(isDuplicateKeyError('11000')).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});

describe('ConfigError', () => {
  it('is an AppError with the config code and its problems', () => {
    const e = new ConfigError(['PORT: bad', 'LOG_LEVEL: bad']);

    expect(isAppError(e)).toBe(true);
    expect(e).toMatchObject({ code: ErrorCode.Config, name: 'ConfigError', problems: ['PORT: bad', 'LOG_LEVEL: bad'] });
    expect(e.message).toBe('invalid configuration (2 problems):\n  PORT: bad\n  LOG_LEVEL: bad');
  });
});

describe('isAppError', () => {
  it('is false for plain errors and values', () => {
    expect([new Error('x'), 'x', null].map(isAppError)).toEqual([false, false, false]);
  });
});

describe('a store that does not answer', () => {
  const { MongoNetworkError, MongoNetworkTimeoutError, MongoServerSelectionError } = mongoose.mongo;
  const timedOut = new MongoNetworkTimeoutError('connection 3 to 127.0.0.1:27017 timed out');

  it.each([
    ['a socket timeout', timedOut, 'database'],
    ['a network error', new MongoNetworkError('connection reset'), 'database'],
    ['no server to select', new MongoServerSelectionError('Server selection timed out after 5000 ms', { type: 'Unknown', servers: new Map() } as never), 'database'],
    ['mongoose giving up on a buffered operation', new Error('Operation `runs.findOne()` buffering timed out after 10000ms'), 'database'],
    ['ioredis giving up its retries', Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' }), 'redis'],
    ['ioredis with its connection closed', new Error('Connection is closed.'), 'redis'],
  ] as const)('is told apart from a refusal: %s', (_what, error, store) => {
    expect(unavailableStore(error)).toBe(store);
    expect(asAppError(error)).toMatchObject({ code: ErrorCode.Unavailable, details: { store }, cause: error });
  });

  it('is not claimed for other errors (a duplicate key, a validation error, a plain one)', () => {
    expect(unavailableStore(Object.assign(new Error('E11000'), { code: 11000 }))).toBeNull();
    expect(unavailableStore(new mongoose.Error.ValidationError())).toBeNull();
    expect(unavailableStore(new Error('boom'))).toBeNull();
  });

  it('is answered as a 503 with Retry-After by the API, saying the command may not have been applied', () => {
    const answer = errorAnswer(timedOut, silentLogger);
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({ 'retry-after': '30' });
    expect(answer.body.error.code).toBe('service_unavailable');
    expect(answer.body.error.message).toContain('may not have been applied');
  });

  it('is said to the Slack user as it is, not as an internal error with a reference', () => {
    const text = JSON.stringify(userMessage(timedOut, silentLogger));
    expect(text).toContain('the database did not answer in time');
    expect(text).not.toContain('reference');
  });
});

