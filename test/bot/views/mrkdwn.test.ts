import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { code, codeBlock, escapeMrkdwn, safeCutIndex, splitText, truncate } from '../../../src/bot/views/mrkdwn.js';

/** True when every `&` starts a whole entity and no surrogate pair is cut at either end. */
function wellFormed(escaped: string): boolean {
  const bareAmp = /&(?!(amp|lt|gt);)/.test(escaped);
  const first = escaped.charCodeAt(0);
  const last = escaped.charCodeAt(escaped.length - 1);
  const startsWithLow = first >= 0xdc00 && first <= 0xdfff;
  const endsWithHigh = last >= 0xd800 && last <= 0xdbff;
  return !bareAmp && !startsWithLow && !endsWithHigh;
}

// Strings rich in what breaks naive cutting: entities-to-be and astral characters.
const tricky = fc
  .array(fc.constantFrom('a', ' ', '&', '<', '>', '😀', '𝔸', '\n', 'é', '`'), { maxLength: 80 })
  .map((parts) => parts.join(''));

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<http://evil|click>', '&lt;http://evil|click&gt;'],
    ['<!subteam^S123>', '&lt;!subteam^S123&gt;'],
    ['fish & chips', 'fish &amp; chips'],
    ['&amp; stays literal', '&amp;amp; stays literal'],
    ['*bold* _it_ `code`', '*bold* _it_ `code`'],
  ])('escapes %j as %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });
});

describe('truncate', () => {
  it('returns text that fits unchanged', () => {
    expect(truncate('short', 5)).toBe('short');
  });

  it('cuts to the limit including the marker', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('abcdefghij', 8, '[..]')).toBe('abcd[..]');
  });

  it.each([
    // text, max, expected: the cut moves back to the start of the entity it would split
    ['ab&amp;cd', 4, 'ab…'],
    ['ab&amp;cd', 6, 'ab…'],
    ['ab&amp;cd', 8, 'ab&amp;…'],
    ['&lt;&gt;', 5, '&lt;…'],
    ['&lt;&gt;', 4, '…'],
  ])('never splits an entity: truncate(%j, %i) is %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it.each([
    ['a😀b', 2, 'a…'],
    ['a😀b', 3, 'a…'],
    ['a😀bc', 4, 'a😀…'],
  ])('never splits a surrogate pair: truncate(%j, %i) is %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it('cuts without the marker when the limit leaves no room for it', () => {
    expect(truncate('abcdef', 1)).toBe('a');
    expect(truncate('abcdef', 0)).toBe('');
    expect(truncate('abcdef', 3, '(more)')).toBe('abc');
  });

  it('keeps every cut of escaped text well formed and within the limit', () => {
    fc.assert(
      fc.property(tricky, fc.integer({ min: 0, max: 120 }), (raw, max) => {
        const escaped = escapeMrkdwn(raw);
        const cut = truncate(escaped, max);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, 0));
        const body = cut.endsWith('…') && cut !== escaped ? cut.slice(0, -1) : cut;
        expect(escaped.startsWith(body)).toBe(true);
        expect(wellFormed(body)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('safeCutIndex', () => {
  it('leaves a cut between two whole units where it is', () => {
    expect(safeCutIndex('&amp;&lt;', 5)).toBe(5);
    expect(safeCutIndex('😀😀', 2)).toBe(2);
  });

  it('does not treat a lone high surrogate followed by other text as a pair', () => {
    expect(safeCutIndex('\ud800&amp;', 3)).toBe(1);
  });
});

describe('splitText', () => {
  it('gives back the text when joined, in pieces that fit and are well formed', () => {
    fc.assert(
      fc.property(tricky, fc.integer({ min: 5, max: 40 }), (raw, max) => {
        const escaped = escapeMrkdwn(raw);
        const pieces = splitText(escaped, max);
        expect(pieces.join('')).toBe(escaped);
        for (const piece of pieces) {
          expect(piece.length).toBeLessThanOrEqual(max);
          expect(wellFormed(piece)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('breaks after a space near the end of a piece rather than inside a word', () => {
    expect(splitText('aaaaaaa bbbb', 10)).toEqual(['aaaaaaa ', 'bbbb']);
  });

  it('returns one empty piece for empty text', () => {
    expect(splitText('', 10)).toEqual(['']);
  });

  it('refuses a size too small to hold an escape sequence', () => {
    expect(() => splitText('abc', 4)).toThrow(RangeError);
  });
});

describe('code and codeBlock', () => {
  it('escapes inline code and keeps a backtick from ending it', () => {
    expect(code('a<b>`c')).toBe('`a&lt;b&gt;ˋc`');
  });

  it('keeps three backticks in the text from closing the block early', () => {
    const block = codeBlock('x```y');
    expect(block.startsWith('```')).toBe(true);
    expect(block.endsWith('```')).toBe(true);
    expect(block.slice(3, -3)).not.toContain('```');
  });

  it('keeps a backtick at either end from merging with the fence', () => {
    expect(codeBlock('`x`')).toBe('```\u200b`x`\u200b```');
  });

  it('fits the block, fences included, within the limit', () => {
    const block = codeBlock(escapeMrkdwn('<&>'.repeat(1000)), 100);
    expect(block.length).toBeLessThanOrEqual(100);
    expect(wellFormed(block.slice(3, -3).replace(/…$/, ''))).toBe(true);
  });

  it('renders an empty body as a space so the block is not empty', () => {
    expect(codeBlock('')).toBe('``` ```');
  });
});
