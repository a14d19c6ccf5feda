import { defineConfig } from 'vitest/config';

// Two projects: the pure engine needs no servers; everything else gets a
// MongoDB-compatible server (embedded FerretDB unless MONGODB_URI is set) and Redis.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/engine/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/engine/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
