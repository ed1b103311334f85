import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Renderer models and stores are pure TS: their tests sit next to them and need no DOM.
    include: ['test/**/*.test.ts', 'renderer/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // 2 cores: two files at a time; each starts its own nats-server(s) on free ports.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
