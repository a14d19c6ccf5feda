import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../src/alerts/parse/', import.meta.url).pathname;
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

// Parsing runs on every channel message and in tests without servers: no I/O, no clock.
describe('src/alerts/parse stays pure', () => {
  it.each(files)('%s imports only itself, the Alert type, the engine, zod and node:crypto', (name) => {
    const source = readFileSync(join(dir, name), 'utf8');
    for (const [, spec = ''] of source.matchAll(/from\s+'([^']+)'/g)) {
      const allowed = spec.startsWith('./') || spec === '../alert.js' || spec.startsWith('../../engine/') || spec === 'zod' || spec === 'node:crypto';
      expect(allowed, `${spec} in ${name}`).toBe(true);
    }
  });

  it.each(files)('%s reads no clock, randomness or environment', (name) => {
    expect(readFileSync(join(dir, name), 'utf8')).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(|randomUUID|process\.|setTimeout\(/);
  });
});
