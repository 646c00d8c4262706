import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // Broker round trips, JVM starts and consumer-group joins take seconds, not milliseconds.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Two cores: files that each start JVMs or push 50,000 messages must not share them.
          fileParallelism: false,
        },
      },
      {
        test: {
          // Each exercise: the untouched starting file fails its check, the reference solution passes.
          name: 'workshop',
          include: ['test/workshop/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
