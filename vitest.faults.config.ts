import { defineConfig } from 'vitest/config';

/**
 * npm run test:faults: the fault suite (test/faults/), alone in one forked process. It times
 * recoveries, so it never shares the machine with other test files; scripts/test.sh runs it
 * after the rest of `npm test`.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1, // vitest 4: the pool options moved to the top level
    include: ['test/faults/**/*.faults.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
