import { describe, expect, it } from 'vitest';

import { ID_PREFIXES, isId, newId } from '../src/ids.js';

describe('newId', () => {
  it.each(ID_PREFIXES)('makes %s_ + 12 characters from [a-z0-9]', (prefix) => {
    const id = newId(prefix);

    expect(id).toMatch(new RegExp(`^${prefix}_[a-z0-9]{12}$`));
    expect(isId(id, prefix)).toBe(true);
  });

  it('does not repeat itself', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('run')));

    expect(ids.size).toBe(10_000);
  });

  it('uses the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 500 }, () => newId('rbs').slice(4)).join(''));

    expect(seen.size).toBe(36);
  });

  it('tells ids of one kind from others and from non-ids', () => {
    expect(isId('rnb_abcdefghijkl', 'run')).toBe(false);
    expect(isId('rnb_ABCDEFGHIJKL')).toBe(false);
    expect(isId('deploy-to-production')).toBe(false);
  });
});
