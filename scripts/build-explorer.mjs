#!/usr/bin/env node
/**
 * Bundles the browser explorer (src/explorer/app: GraphiQL 5 with React, Monaco and its web workers, and the
 * CSS with its fonts inlined) into dist/assets/explorer/ with esbuild, so the server can serve it with no request to
 * any other host. Runs at install time (`prepare`); `npm start` works without it (the explorer then answers
 * 503 and says to run this).
 *
 *   node scripts/build-explorer.mjs              build
 *   node scripts/build-explorer.mjs --if-stale   build only when an input is newer than the last build
 *   node scripts/build-explorer.mjs --warn-only  on failure, say so and exit 0 (for `prepare`: an install
 *                                                must not fail because the explorer did not build)
 *
 * Output: content-hashed .js/.css files (and their .gz), plus manifest.json naming the entry script, the
 * stylesheet and one script per Monaco worker. The build writes to a temporary folder and renames it into
 * place; a lock folder keeps concurrent runs (parallel test files) from interleaving.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appDir = path.join(root, 'src/explorer/app');
const outDir = path.join(root, 'dist/assets/explorer');
const lockDir = path.join(root, 'dist/assets/.explorer-build.lock');
const MANIFEST = 'manifest.json';
const STALE_LOCK_MS = 3 * 60_000;

/** Files whose change calls for a rebuild. */
async function inputs() {
  const files = [fileURLToPath(import.meta.url), path.join(root, 'package-lock.json')];
  for (const entry of await fs.readdir(appDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return files;
}

async function isStale() {
  let built;
  try {
    built = (await fs.stat(path.join(outDir, MANIFEST))).mtimeMs;
  } catch {
    return true;
  }
  for (const file of await inputs()) {
    const stat = await fs.stat(file).catch(() => null);
    if (stat && stat.mtimeMs > built) return true;
  }
  return false;
}

async function withLock(fn) {
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const stat = await fs.stat(lockDir).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS) await fs.rm(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** The packages the bundle is made of are dev dependencies: a production install has none of them. */
function missingPackages() {
  const require = createRequire(path.join(root, 'package.json'));
  return ['esbuild', 'graphiql/package.json', 'react/package.json', 'react-dom/package.json', 'graphql-ws/package.json'].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

async function build() {
  const missing = missingPackages();
  if (missing.length > 0) {
    // e.g. `npm ci --omit=dev`: the server still starts; its explorer answers 503 and says how to build.
    console.warn(
      `build-explorer: ${missing.map((m) => m.replace('/package.json', '')).join(', ')} not installed ` +
        '(dev dependencies omitted?); the explorer is not built.',
    );
    return false;
  }
  const esbuild = await import('esbuild');
  const started = Date.now();
  const tmpDir = `${outDir}.tmp-${process.pid}`;
  await fs.rm(tmpDir, { recursive: true, force: true });
  try {
    return await buildInto(esbuild, tmpDir, started);
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true }); // left over only when the build failed
  }
}

async function buildInto(esbuild, tmpDir, started) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    minify: true,
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    outdir: tmpDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    // Fonts referenced from CSS are inlined, so the stylesheet is the only file the page loads for them.
    loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    legalComments: 'linked',
    charset: 'utf8',
    logLevel: 'warning',
    metafile: true,
  };

  // graphiql/style.css already holds Monaco's CSS (and GraphiQL's fonts); Monaco's own `import './x.css'`
  // lines would add it a second time.
  const monacoCssOnce = {
    name: 'monaco-css-once',
    setup(b) {
      b.onResolve({ filter: /\.css$/ }, (args) =>
        /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'empty-css' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'empty-css' }, () => ({ contents: '', loader: 'css' }));
    },
  };

  const app = await esbuild.build({
    ...common,
    entryPoints: { app: path.join(appDir, 'main.jsx') },
    format: 'iife',
    jsx: 'automatic',
    plugins: [monacoCssOnce],
  });
  const workers = await esbuild.build({
    ...common,
    entryPoints: {
      'editor.worker': path.join(appDir, 'editor.worker.js'),
      'json.worker': path.join(appDir, 'json.worker.js'),
      'graphql.worker': path.join(appDir, 'graphql.worker.js'),
    },
    format: 'iife',
  });

  const outputs = { ...app.metafile.outputs, ...workers.metafile.outputs };
  const byEntry = (entry, ext) => {
    const hit = Object.entries(outputs).find(
      ([file, meta]) => file.endsWith(ext) && meta.entryPoint && path.resolve(root, meta.entryPoint) === path.join(appDir, entry),
    );
    if (!hit) throw new Error(`build-explorer: no ${ext} output for ${entry}`);
    return path.basename(hit[0]);
  };
  const cssOutput = Object.keys(app.metafile.outputs).find((file) => file.endsWith('.css'));
  if (!cssOutput) throw new Error('build-explorer: no stylesheet was produced');

  const files = {};
  for (const name of await fs.readdir(tmpDir)) {
    const body = await fs.readFile(path.join(tmpDir, name));
    const ext = path.extname(name);
    const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
    let gzip = false;
    if (body.length > 1024 && /^(text\/|image\/svg)/.test(contentType)) {
      await fs.writeFile(path.join(tmpDir, `${name}.gz`), gzipSync(body, { level: 9 }));
      gzip = true;
    }
    files[name] = { contentType, bytes: body.length, gzip, sha256: createHash('sha256').update(body).digest('base64') };
  }

  const manifest = {
    builtAt: new Date().toISOString(),
    graphiql: createRequire(path.join(root, 'package.json'))('graphiql/package.json').version,
    script: byEntry('main.jsx', '.js'),
    stylesheet: path.basename(cssOutput),
    workers: {
      editor: byEntry('editor.worker.js', '.js'),
      json: byEntry('json.worker.js', '.js'),
      graphql: byEntry('graphql.worker.js', '.js'),
    },
    files,
  };
  await fs.writeFile(path.join(tmpDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

  await fs.rm(outDir, { recursive: true, force: true });
  await fs.rename(tmpDir, outDir);
  const total = Object.values(files).reduce((sum, f) => sum + f.bytes, 0);
  console.log(
    `build-explorer: GraphiQL ${manifest.graphiql} → ${path.relative(root, outDir)}/ ` +
      `(${Object.keys(files).length} files, ${(total / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return true;
}

const ifStale = process.argv.includes('--if-stale');
const warnOnly = process.argv.includes('--warn-only');
try {
  await withLock(async () => {
    if (ifStale && !(await isStale())) return;
    await build();
  });
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  console.error('build-explorer: failed; the server still starts, but its explorer answers 503 until a build succeeds.');
  process.exitCode = warnOnly ? 0 : 1;
}
