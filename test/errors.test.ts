import { describe, expect, it } from 'vitest';

import { AppError, asAppError, ConfigError, ErrorCode, isAppError, isDuplicateKeyError } from '../src/errors.js';

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
