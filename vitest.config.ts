import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql 16 ships CJS and .mjs without an exports map: Node (and every package it loads) gets the CJS
  // build, vite would give our sources the .mjs one, and `instanceof GraphQLError` would then fail across
  // the two. Resolve like Node does.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Every test file starts real servers; forks keep their sockets and timers apart.
    pool: 'forks',
    // CI also writes a machine-readable summary that .ci/run turns into a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
