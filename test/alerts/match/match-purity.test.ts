import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../src/alerts/match/', import.meta.url).pathname;
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

// Matching runs on every alert and in tests without servers: it must stay a pure function.
describe('src/alerts/match stays pure', () => {
  it.each(files)('%s imports and re-exports at run time only itself, the engine and the Alert type', (name) => {
    const source = readFileSync(join(dir, name), 'utf8');
    const valueImports = [...source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');
    for (const spec of valueImports) {
      expect(spec.startsWith('./') || spec.startsWith('../../engine/') || spec === '../alert.js', `${spec} in ${name}`).toBe(true);
    }
  });

  it.each(files)('%s reads no clock, randomness or environment', (name) => {
    expect(readFileSync(join(dir, name), 'utf8')).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(|crypto\.|process\.|setTimeout\(/);
  });
});
