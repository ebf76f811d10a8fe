import { defineConfig } from 'vitest/config';

// Unit + integration tests: real SQLite files, real ffmpeg, real ONNX sessions.
// forks (not threads) because native addons (better-sqlite3, onnxruntime-node) are per-process.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
