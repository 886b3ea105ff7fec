import { defineConfig } from 'vitest/config';

// Host-side tests (API, CLI, runtimes, corpus, oracles). Core unit specs run under as-pect.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
