import { availableParallelism } from 'node:os';

import { defineConfig } from 'vitest/config';

// Two projects: pure code (the engine, Block Kit views, text parsing, the sandbox's browser
// app) needs no servers; everything else gets a MongoDB-compatible server (embedded
// FerretDB unless MONGODB_URI is set) and Redis.
const PURE = ['test/engine/**', 'test/bot/views/**', 'test/bot/command-text.test.ts', 'test/bot/listeners/**', 'test/runner/tools/**', 'test/alerts/**', 'test/sandbox-web/**'];
// The sandbox's browser app is Preact, and its tests render .tsx.
const TSX_TESTS = new Set(['test/sandbox-web/**']);

function testFiles(p: string): string {
  if (p.endsWith('.ts')) return p;
  return TSX_TESTS.has(p) ? `${p}/*.test.{ts,tsx}` : `${p}/*.test.ts`;
}

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine,
    // where most of a test's time is spent waiting on the store, Redis or a timer. Two
    // workers there took the suite from 636–649 s to 414 s (docs/development.md).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: PURE.map(testFiles),
        },
        // Vite's transform does not read src/sandbox/web/tsconfig.json for test files.
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: PURE,
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
