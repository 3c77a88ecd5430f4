/**
 * The browser explorer over plain HTTP, without a browser: who gets the page, that the page and its
 * files name nothing but this server, that EXPLORER turns it on and off, that API requests still go through
 * Apollo's CSRF prevention, and that the demo operations are valid and answer. The browser itself is in
 * explorer.browser.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../src/graphql/schema.js';
import { DEMO } from '../src/simulator/index.js';
import { CONTENT_SECURITY_POLICY, demoTabs, explorerMiddleware, genericTabs } from '../src/explorer/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

interface Page {
  status: number;
  headers: Headers;
  html: string;
}

async function open(url: string, headers: Record<string, string> = { accept: BROWSER_ACCEPT }): Promise<Page> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** Every URL the HTML makes a browser load: src/href attributes (the page's config is data, not a load). */
function loadedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
}

function explorerConfig(html: string): { tabs: Array<{ query: string; headers?: string }>; workers: Record<string, string>; title: string } {
  const json = /<script id="explorer-config" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('no explorer config in the page');
  return JSON.parse(json);
}

let t: TestServer;
const others: TestServer[] = [];
async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer(env);
  others.push(s);
  return s;
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-explorer.mjs', '--if-stale'], { stdio: 'inherit' });
  t = await startTestServer();
}, 60_000);
afterAll(async () => {
  await Promise.all([t?.close(), ...others.map((s) => s.close())]);
});

describe('GET /graphql from a browser', () => {
  it('is the explorer page, naming only same-origin files, with a self-only Content-Security-Policy', async () => {
    const page = await open(t.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.html).toContain('<title>cloud-jobs-subgraph</title>');

    const urls = loadedUrls(page.html);
    expect(urls.length).toBeGreaterThanOrEqual(3); // icon, stylesheet, script
    for (const url of urls) expect(url).toMatch(/^(\/graphql\/explorer\/[\w.-]+|data:,)$/);
    expect(page.html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
    // Same-origin workers too.
    for (const url of Object.values(explorerConfig(page.html).workers)) expect(url).toMatch(/^\/graphql\/explorer\/[\w.-]+\.js$/);

    const csp = page.headers.get('content-security-policy');
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*|unsafe-eval|blob:/);
  });

  it('serves its script, stylesheet and workers with their content types, hashed names and long caching', async () => {
    const page = await open(t.url);
    const origin = new URL(t.url).origin;
    const files = [...loadedUrls(page.html).filter((u) => u.startsWith('/')), ...Object.values(explorerConfig(page.html).workers)];
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.js')).length).toBe(4); // the app and three Monaco workers
    for (const file of files) {
      const res = await fetch(origin + file);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await res.text(); // fetch asks for gzip and decodes it
      expect(body.length).toBeGreaterThan(1000);
    }
    // The stylesheet brings its fonts inline: no url() to another file, let alone another host.
    const css = await (await fetch(origin + files.find((f) => f.endsWith('.css'))!)).text();
    expect([...css.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'))).toEqual([]);
    // Only files of the build: nothing else under the assets path, no way out of it.
    expect((await fetch(`${origin}/graphql/explorer/manifest.json`)).status).toBe(404);
    expect((await fetch(`${origin}/graphql/explorer/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin}/graphql/explorer/%E0%A4%A`)).status).toBe(404);
  });

  it('opens with a query per service and a subscription to a job that is still changing (simulator)', async () => {
    const { tabs } = explorerConfig((await open(t.url)).html);
    expect(tabs).toEqual(demoTabs());
    const names = tabs.map((tab) => (parse(tab.query).definitions[0] as OperationDefinitionNode).name?.value);
    expect(names).toEqual(['WorkspaceJob', 'AppStreamingJob', 'GaussDBJob', 'CloudPhoneJob', 'FollowGaussDBJob']);
    for (const tab of tabs) expect(JSON.parse(tab.headers!)).toEqual({ 'X-Auth-Token': '' });
    expect(tabs[4]!.query).toMatch(/^subscription FollowGaussDBJob/m);
    expect(tabs[4]!.query).toContain(DEMO.gaussdb.advancing);
  });

  it('is not served for a GraphQL GET, a JSON client or a non-GET', async () => {
    const query = `${t.url}?query=${encodeURIComponent('{ __typename }')}`;
    // A browser-looking GET with ?query= is an API request: Apollo's CSRF prevention refuses it (no preflight header).
    const csrf = await open(query);
    expect(csrf.status).toBe(400);
    expect(csrf.headers.get('content-type')).toMatch(/^application\/json/);
    expect(csrf.html).toMatch(/CSRF/);
    // With the preflight header it runs.
    const ok = await open(query, { accept: 'application/json', 'apollo-require-preflight': 'true' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.html)).toEqual({ data: { __typename: 'Query' } });
    // A client that asks for JSON (or anything) is not a browser navigation.
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json']) {
      const res = await open(t.url, { accept });
      expect(res.headers.get('content-type'), accept).toMatch(/^application\/(graphql-response\+)?json/);
      expect(res.status, accept).toBe(400);
    }
    // Simple (form-like) POSTs are still refused; JSON POSTs answer.
    const form = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain', accept: BROWSER_ACCEPT }, body: '{"query":"{ __typename }"}' });
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/CSRF/);
    expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});

describe('EXPLORER', () => {
  it('false: a browser gets Apollo\'s answer, not the page', async () => {
    const off = await server({ EXPLORER: 'false' });
    const page = await open(off.url);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^application\/json/);
    expect(page.html).not.toContain('<html');
    expect((await fetch(`${new URL(off.url).origin}/graphql/explorer/anything.js`)).headers.get('content-type')).not.toMatch(/javascript/);
    expect((await off.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('is off by default with UPSTREAM=huaweicloud, and on request shows a generic example without demo ids', async () => {
    const real = await server({ UPSTREAM: 'huaweicloud' });
    const page = await open(real.url);
    expect(page.status).toBe(400);
    expect(page.html).not.toContain('<html');

    const on = await server({ UPSTREAM: 'huaweicloud', EXPLORER: 'true' });
    const explorer = await open(on.url);
    expect(explorer.status).toBe(200);
    const { tabs } = explorerConfig(explorer.html);
    expect(tabs).toEqual(genericTabs());
    expect(explorer.html).not.toContain(DEMO.gaussdb.advancing);
    expect(explorer.html).not.toContain(DEMO.workspace.completeWithFailedSubJob);
  });
});

describe('the demo operations', () => {
  it('are valid against the schema, and every query answers with data from the simulator', async () => {
    const schema = buildSchema();
    for (const tab of [...demoTabs(), ...genericTabs()]) expect(validate(schema, parse(tab.query))).toEqual([]);
    for (const tab of demoTabs().slice(0, 4)) {
      const res = await t.gql(tab.query);
      expect(res.errors).toBeUndefined();
      expect(res.data?.['job']).toMatchObject({ terminal: expect.any(Boolean), state: expect.any(String) });
    }
  });
});

describe('explorerMiddleware without a build', () => {
  it('answers a browser with a 503 page that says how to build, and leaves API requests alone', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'explorer-empty-'));
    const app = express();
    app.use('/graphql', explorerMiddleware({ enabled: true, assetsDir: empty }));
    app.use('/graphql', (_req, res) => void res.status(418).json({ api: true }));
    const srv = http.createServer(app);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/graphql`;
    try {
      const page = await open(base);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.html).toContain('node scripts/build-explorer.mjs');
      expect(page.html).toContain('EXPLORER=false');
      expect((await fetch(`${base}/explorer/app.js`)).status).toBe(404);
      expect((await open(base, { accept: 'application/json' })).status).toBe(418);
    } finally {
      srv.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
