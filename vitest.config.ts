import { defineConfig } from 'vitest/config';

// Integration tests start real processes and sockets; two forks match the two cores here.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'reference-stack/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
