import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const folders = ['parse', 'infer'] as const;
const files = folders.flatMap((folder) => {
  const dir = new URL(`../../../src/alerts/${folder}/`, import.meta.url).pathname;
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [`${folder}/${name}`, join(dir, name)] as const);
});

const allowed = (spec: string) =>
  spec.startsWith('./') ||
  spec === '../alert.js' ||
  folders.some((folder) => spec.startsWith(`../${folder}/`)) ||
  spec.startsWith('../../engine/') ||
  spec === 'zod' ||
  spec === 'node:crypto';

// Parsing and inference run on every channel message and in tests without servers: no I/O, no clock.
describe('src/alerts/parse and src/alerts/infer stay pure', () => {
  it.each(files)('%s imports only its folders, the Alert type, the engine, zod and node:crypto', (_name, path) => {
    for (const [, spec = ''] of readFileSync(path, 'utf8').matchAll(/from\s+'([^']+)'/g)) expect(allowed(spec), `${spec} in ${path}`).toBe(true);
  });

  it.each(files)('%s reads no clock, randomness or environment', (_name, path) => {
    expect(readFileSync(path, 'utf8')).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(|randomUUID|process\.|setTimeout\(/);
  });
});
