/**
 * The browser explorer: a self-hosted GraphiQL on the GraphQL path. A browser navigating to
 * `/graphql` (GET, `Accept` preferring text/html, no `query` parameter) gets the page; every other request
 * goes on to Apollo, whose CSRF prevention still applies to API requests. The page's script, stylesheet and
 * Monaco workers, built by scripts/build-explorer.mjs into dist/assets/explorer/, are served under
 * `/graphql/explorer/`. The page loads nothing from any other host, and its Content-Security-Policy says so.
 *
 * Mount it on the GraphQL path before Apollo: `app.use('/graphql', explorerMiddleware({ enabled, tabs }))`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_HEADERS, GENERIC_QUERY, genericTabs, type ExplorerTab } from './tabs.js';

export { demoTabs, genericTabs, DEFAULT_HEADERS, GENERIC_QUERY, type ExplorerTab } from './tabs.js';

export interface ExplorerOptions {
  /** `config.explorer`: when false, the middleware only calls `next()`. */
  enabled: boolean;
  /** The tabs a first visit opens with: `demoTabs()` against the simulator, else `genericTabs()` (the default). */
  tabs?: ExplorerTab[];
  /** Shown as the page title and in GraphiQL's logo slot. */
  title?: string;
  /** Where the build is; defaults to dist/assets/explorer/ of this repository. */
  assetsDir?: string;
}

export type ExplorerMiddleware = (req: Request, res: Response, next: NextFunction) => void;

/** The sub-path (under the GraphQL path) that serves the built files. */
export const ASSETS_PATH = '/explorer/';

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/assets/explorer/', import.meta.url));

export const BUILD_COMMAND = 'node scripts/build-explorer.mjs';

/**
 * Only the page's own origin. Monaco inserts <style> elements at run time (theme colors, decorations), hence
 * 'unsafe-inline' for styles; CSS can still only load fonts and images from 'self' or data: URLs. Fonts and
 * icons are inlined in the stylesheet as data: URLs; workers are same-origin files (no blob:); no eval.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

interface Manifest {
  builtAt: string;
  graphiql: string;
  script: string;
  stylesheet: string;
  workers: Record<'editor' | 'json' | 'graphql', string>;
  files: Record<string, { contentType: string; bytes: number; gzip: boolean; sha256: string }>;
}

/** Reads the build's manifest, again whenever it changes (a rebuild needs no restart); null when there is none. */
function manifestReader(dir: string): () => Manifest | null {
  const file = path.join(dir, 'manifest.json');
  let cached: { mtimeMs: number; manifest: Manifest } | null = null;
  return () => {
    try {
      const { mtimeMs } = statSync(file);
      if (cached?.mtimeMs !== mtimeMs) {
        // Cast: written by scripts/build-explorer.mjs; the fields used are checked just below.
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
        if (typeof manifest.script !== 'string' || typeof manifest.stylesheet !== 'string' || !manifest.workers) {
          throw new Error('incomplete manifest');
        }
        cached = { mtimeMs, manifest };
      }
      return cached.manifest;
    } catch {
      cached = null;
      return null;
    }
  };
}

/** A browser navigation: GET, prefers HTML over JSON, and is not a GraphQL GET (`?query=`). */
function isPageRequest(req: Request): boolean {
  if (req.method !== 'GET' || (req.path !== '/' && req.path !== '')) return false;
  if (new URL(req.originalUrl, 'http://localhost').searchParams.has('query')) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside a <script type="application/json"> data block: nothing may close the element. */
const jsonForScript = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

function pageHtml(manifest: Manifest, base: string, title: string, tabs: ExplorerTab[]): string {
  const asset = (name: string) => `${base}${ASSETS_PATH}${encodeURIComponent(name)}`;
  const integrity = (name: string) => {
    const sha = manifest.files[name]?.sha256;
    return sha ? ` integrity="sha256-${sha}"` : '';
  };
  const config = {
    title,
    tabs,
    defaultQuery: GENERIC_QUERY,
    defaultHeaders: DEFAULT_HEADERS,
    workers: Object.fromEntries(Object.entries(manifest.workers).map(([label, name]) => [label, asset(name)])),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(manifest.stylesheet)}"${integrity(manifest.stylesheet)}>
<script id="explorer-config" type="application/json">${jsonForScript(config)}</script>
<script defer src="${asset(manifest.script)}"${integrity(manifest.script)}></script>
</head>
<body>
<div id="explorer"><noscript>The explorer needs JavaScript. Without it, POST GraphQL requests to this URL with content-type: application/json.</noscript></div>
</body>
</html>
`;
}

function notBuiltHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}: not built</title><link rel="icon" href="data:,"></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; line-height: 1.5">
<h1>The explorer is not built</h1>
<p>This server is configured to serve a GraphQL explorer here, but its browser files (<code>dist/assets/explorer/</code>)
are missing. They are built at install time by <code>npm ci</code>; to build them now, run</p>
<pre>${escapeHtml(BUILD_COMMAND)}</pre>
<p>in the project folder (it needs the dev dependencies), then reload this page. No restart is needed.
To turn the explorer off, set <code>EXPLORER=false</code>.</p>
<p>The GraphQL API itself works: POST requests with <code>content-type: application/json</code> to this URL,
and graphql-ws subscriptions on the same path.</p>
</body>
</html>
`;
}

/** The explorer page and its files, for `app.use('/graphql', …)` before Apollo's middleware. */
export function explorerMiddleware(options: ExplorerOptions): ExplorerMiddleware {
  if (!options.enabled) return (_req, _res, next) => next();
  const title = options.title ?? 'cloud-jobs-subgraph';
  const tabs = options.tabs ?? genericTabs();
  const dir = options.assetsDir ?? DEFAULT_ASSETS_DIR;
  const readManifest = manifestReader(dir);
  const bodies = new Map<string, Buffer>();

  const serveAsset = async (req: Request, res: Response, next: NextFunction, name: string) => {
    const manifest = readManifest();
    const entry = manifest?.files[name];
    // Only files the build listed: no path in a request ever reaches the file system.
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('Not found\n');
      return;
    }
    const gzip = entry.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const file = gzip ? `${name}.gz` : name;
    try {
      let body = bodies.get(file);
      if (!body) {
        body = await readFile(path.join(dir, file));
        bodies.set(file, body);
      }
      res.status(200);
      res.set({
        'Content-Type': entry.contentType,
        'Content-Length': String(body.length),
        // Names carry a content hash: a new build is a new URL.
        'Cache-Control': 'public, max-age=31536000, immutable',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY, // workers take their policy from their own response
        'X-Content-Type-Options': 'nosniff',
        Vary: 'Accept-Encoding',
      });
      if (gzip) res.set('Content-Encoding', 'gzip');
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      next(error);
    }
  };

  return (req, res, next) => {
    if (req.path.startsWith(ASSETS_PATH)) {
      let name = '';
      try {
        name = decodeURIComponent(req.path.slice(ASSETS_PATH.length));
      } catch {
        // a malformed escape is simply not a file of ours
      }
      void serveAsset(req, res, next, name);
      return;
    }
    if (!isPageRequest(req)) {
      next();
      return;
    }
    const manifest = readManifest();
    res.set({
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      Vary: 'Accept',
    });
    if (!manifest) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(notBuiltHtml(title));
      return;
    }
    res.status(200).type('html').send(pageHtml(manifest, req.baseUrl, title, tabs));
  };
}

/** Whether a build is present (for a log line at start). */
export function explorerBuilt(assetsDir: string = DEFAULT_ASSETS_DIR): boolean {
  return existsSync(path.join(assetsDir, 'manifest.json'));
}
