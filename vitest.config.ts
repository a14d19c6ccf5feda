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
