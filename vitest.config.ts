import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The browser tests poll what a page shows; a loaded 2-core machine can take seconds to get there.
    // 15 s, as for a browser step (e2e/support/browser.ts); the default is 1 s.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Two cores: more workers only contend for them.
    maxWorkers: 2,
    // In CI a JSON summary lets .ci/run print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-artifacts/vitest.json' }]] : ['default'],
  },
});
