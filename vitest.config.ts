import { defineConfig } from 'vitest/config';

// Two projects: pure code (the engine, Block Kit views, text parsing) needs no servers;
// everything else gets a MongoDB-compatible server (embedded FerretDB unless MONGODB_URI
// is set) and Redis.
const PURE = ['test/engine/**', 'test/bot/views/**', 'test/bot/command-text.test.ts', 'test/bot/listeners/**', 'test/runner/tools/**', 'test/alerts/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: PURE.map((p) => (p.endsWith('.ts') ? p : `${p}/*.test.ts`)),
        },
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
