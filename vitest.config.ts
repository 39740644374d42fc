import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // vitest's default is one worker fewer than the cores (1 here); many files mostly wait on timers and sockets (the fake API server), so two share two cores well.
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
  },
});
