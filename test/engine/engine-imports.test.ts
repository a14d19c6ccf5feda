import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const engineDir = new URL('../../src/engine/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('src/engine stays pure', () => {
  const files = sourceFiles(engineDir);

  it.each(files.map((f) => [relative(engineDir, f), f]))('%s imports only the engine, zod and yaml', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1] ?? '');
    for (const spec of imports) {
      const insideEngine = spec.startsWith('.') && join(file, '..', spec).startsWith(engineDir);
      expect(spec === 'zod' || spec === 'yaml' || insideEngine, `${spec} in ${file}`).toBe(true);
    }
  });

  it.each(files.map((f) => [relative(engineDir, f), f]))('%s reads no clock and makes no random ids', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(|crypto\.|process\.|setTimeout\(/);
  });
});
