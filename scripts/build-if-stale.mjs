#!/usr/bin/env node
/**
 * Compiles src/ to dist/ (`tsc -p tsconfig.build.json`) when dist/main.js is missing or older than any source
 * file or the build configuration, so `npm start` always runs JavaScript compiled from the sources it sits beside,
 * without a build step of its own on a fresh clone.
 *
 *   node scripts/build-if-stale.mjs              build if stale; fail when the build fails
 *   node scripts/build-if-stale.mjs --warn-only  on failure, say so and exit 0 (for `prepare`: an install
 *                                                without TypeScript, e.g. --omit=dev, must not fail here)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'dist/main.js');
const warnOnly = process.argv.includes('--warn-only');

function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestInput(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const inputs = Math.max(newestInput(path.join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(path.join(root, f)).mtimeMs));
if (existsSync(output) && statSync(output).mtimeMs >= inputs) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  const message = 'build: TypeScript is not installed, so src/ cannot be compiled to dist/ (install dev dependencies, then `npm run build`)';
  console.error(message);
  process.exit(warnOnly ? 0 : 1);
}
const started = Date.now();
// tsc reports on stdout; keep it on stderr so `npm run -s supergraph > file` stays clean.
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
if (result.status !== 0) {
  console.error('build: compiling src/ to dist/ failed (see above)');
  process.exit(warnOnly ? 0 : 1);
}
console.error(`build: compiled src/ to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
