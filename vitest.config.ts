import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Resolve `chartroom/*` to the TypeScript sources (see package.json "exports").
    conditions: ['chartroom-source'],
  },
  ssr: {
    resolve: {
      conditions: ['chartroom-source'],
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // CI sets VITEST_JSON_REPORT to read the pass/fail counts (see .ci/run).
    reporters: process.env.VITEST_JSON_REPORT
      ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]]
      : ['default'],
  },
});
