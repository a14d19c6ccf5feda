import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { JsonObject, JsonValue } from '../../../src/engine/types.js';
import { limitOutput } from '../../../src/runner/output-limit.js';

const size = (v: unknown) => JSON.stringify(v).length;

// Tool-like outputs: a few scalars next to long strings, long lists and nested objects.
const bigOutput: fc.Arbitrary<JsonObject> = fc.record({
  disk_usage_percent: fc.double({ min: 0, max: 100, noNaN: true }),
  ok: fc.boolean(),
  status: fc.constantFrom('running', 'stopped', 'failed'),
  stdout: fc.string({ unit: 'binary', maxLength: 4000 }),
  largest: fc.array(fc.record({ path: fc.string({ maxLength: 120 }), bytes: fc.nat() }), { maxLength: 300 }),
  nested: fc.jsonValue({ maxDepth: 5, depthSize: 'medium' }),
  lines: fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 100 }),
}) as fc.Arbitrary<JsonObject>;

describe('limitOutput', () => {
  it('always keeps the JSON text within maxChars', () => {
    fc.assert(
      fc.property(bigOutput, fc.integer({ min: 2, max: 20_000 }), (value, max) => {
        expect(size(limitOutput(value, max))).toBeLessThanOrEqual(max);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the bound for any JSON object, odd keys and unicode included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.integer({ min: 2, max: 2000 }), (value, max) => {
        const out = limitOutput(value as JsonObject, max);
        expect(size(out)).toBeLessThanOrEqual(max);
        if (size(value) > max && max >= 19) expect(out._truncated).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('returns an object that fits unchanged, without a _truncated flag', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.nat(100), (value, slack) => {
        const out = limitOutput(value as JsonObject, size(value) + slack);
        expect(out).toBe(value);
      }),
    );
  });

  it('keeps the top-level numbers and booleans when a large neighbour is cut', () => {
    fc.assert(
      fc.property(bigOutput, fc.integer({ min: 600, max: 5000 }), (value, max) => {
        const out = limitOutput(value, max);
        expect(out.disk_usage_percent).toBe(value.disk_usage_percent);
        expect(out.ok).toBe(value.ok);
        expect(out.status).toBe(value.status);
      }),
      { numRuns: 200 },
    );
  });

  it('cuts a long string with a marker that counts the characters removed', () => {
    const text = 'a'.repeat(10_000);
    const out = limitOutput({ exit_code: 0, stdout: text }, 1000);
    const cut = out.stdout as string;
    const match = /^(a*)…\[cut (\d+) chars\]$/.exec(cut);
    expect(match).not.toBeNull();
    expect((match?.[1]?.length ?? 0) + Number(match?.[2])).toBe(10_000);
    expect(out).toMatchObject({ exit_code: 0, _truncated: true });
    expect(size(out)).toBeLessThanOrEqual(1000);
  });

  it('cuts a long list to whole leading items and a marker counting the rest', () => {
    const largest = Array.from({ length: 500 }, (_, i) => ({ path: `/var/lib/dir-${i}`, bytes: 1000 - i }));
    const out = limitOutput({ disk_usage_percent: 93.5, largest }, 2000);
    const kept = out.largest as JsonValue[];
    const marker = kept.at(-1) as string;
    expect(kept.slice(0, -1)).toEqual(largest.slice(0, kept.length - 1));
    expect(marker).toBe(`…[${500 - (kept.length - 1)} more items]`);
    expect(out.disk_usage_percent).toBe(93.5);
  });

  it('cuts the deepest large part rather than dropping its small neighbours', () => {
    const out = limitOutput({ a: 1, detail: { b: true, c: 'short', log: 'x'.repeat(5000) } }, 300);
    expect(out).toMatchObject({ a: 1, detail: { b: true, c: 'short' }, _truncated: true });
    expect((out.detail as JsonObject).log).toMatch(/^x+…\[cut \d+ chars\]$/);
  });
});
