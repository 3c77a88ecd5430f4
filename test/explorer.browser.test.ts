/**
 * The explorer in a real browser: Debian's headless Chromium, driven by playwright-core, against the
 * running server and its simulator. The page must load with no failed request and no request to another host,
 * run a demo query and show its result, and run the demo subscription and show an update the simulator pushed
 * through graphql-ws. The last screenshot is the README's (docs/explorer.png, refreshed with UPDATE_SCREENSHOT=1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO, tokenFingerprint } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The README's picture is refreshed only on request (UPDATE_SCREENSHOT=1); otherwise a test run leaves the
// tracked file alone and writes to the temporary folder.
const SCREENSHOT = process.env['UPDATE_SCREENSHOT'] === '1' ? new URL('../docs/explorer.png', import.meta.url).pathname : join(tmpdir(), `explorer-${process.pid}.png`);
// What the machine's notes say Chromium needs here: no sandbox as root, and no background calls home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let t: TestServer;
let browser: Browser;
let page: Page;
let origin: string;
/** Every request the page (and its workers) made, WebSockets included. */
const requests: string[] = [];
/** The GraphQL POSTs: their X-Auth-Token header (null when absent) and operation. */
const posts: Array<{ token: string | null; operationName: string | null }> = [];
const failures: string[] = [];
const consoleErrors: string[] = [];
const wsFrames: { sent: string[]; received: string[] } = { sent: [], received: [] };

/** The response pane's text (Monaco renders spaces as NBSP). */
async function responseText(): Promise<string> {
  return ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

async function waitForResponse(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await responseText();
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`the response pane never matched ${pattern}; it shows: ${text}`);
}

/** Types the token between the empty quotes of the header editor's `"X-Auth-Token": ""` line, as a user would. */
async function typeToken(token: string): Promise<void> {
  const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.insertText(token);
  await expect.poll(async () => ((await editor.textContent()) ?? '').replace(/\u00a0/g, ' ')).toContain(`"X-Auth-Token": "${token}"`);
}

/** No browser is a failure of each test (counted as such), never a skip. */
function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The explorer's browser test needs Debian's Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` ` +
        '(.ci/run does it) or set CHROMIUM_PATH.',
    );
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return; // each test fails with requireChromium()'s message
  // The page needs the bundle; `npm ci` builds it (prepare), this covers a changed or missing build.
  execFileSync(process.execPath, ['scripts/build-explorer.mjs', '--if-stale'], { stdio: 'inherit' });

  t = await startTestServer({ POLL_INTERVAL_MS: '200' });
  origin = new URL(t.url).origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('request', (r) => {
    requests.push(r.url());
    if (r.method() === 'POST') {
      const body = (r.postDataJSON() ?? {}) as { operationName?: string };
      posts.push({ token: r.headers()['x-auth-token'] ?? null, operationName: body.operationName ?? null });
    }
  });
  page.on('requestfailed', (r) => failures.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.request().method()} ${r.url()}: HTTP ${r.status()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('websocket', (ws) => {
    requests.push(ws.url());
    ws.on('framesent', (f) => wsFrames.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => wsFrames.received.push(String(f.payload)));
    ws.on('socketerror', (e) => failures.push(`WebSocket ${ws.url()}: ${e}`));
  });
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the explorer in Chromium', () => {
  it('loads from the server alone and runs the first demo query, with the token from the header editor', async () => {
    requireChromium();
    const response = await page.goto(t.url);
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-tab').first().waitFor();
    expect(await page.locator('.graphiql-tab-button').allTextContents()).toEqual([
      'WorkspaceJob',
      'AppStreamingJob',
      'GaussDBJob',
      'CloudPhoneJob',
      'FollowGaussDBJob',
    ]);
    // The operation editor is live once Monaco (and its workers) started.
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();

    // Before a token is typed in, the empty "X-Auth-Token" is not sent (the schema was fetched without one).
    await expect.poll(() => posts.length).toBeGreaterThan(0);
    expect(posts.filter((p) => p.token !== null)).toEqual([]);

    await typeToken(DEMO.token);
    t.sim.calls.reset();
    await page.locator('.graphiql-execute-button').click();
    const text = await waitForResponse(/"state": "FAILED"/);
    expect(text).toContain('"jobType": "createDesktops"');
    expect(text).toContain('"code": "WKS.00120107"');
    // The header went with the query, and the server called upstream with it rather than with its own keys.
    expect(posts.filter((p) => p.operationName === 'WorkspaceJob')).toEqual([{ token: DEMO.token, operationName: 'WorkspaceJob' }]);
    const calls = t.sim.calls.list({ jobId: DEMO.workspace.completeWithFailedSubJob });
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls.map((c) => c.credential))).toEqual(new Set([tokenFingerprint(DEMO.token)]));

    // Nothing but this server: the page, its script and stylesheet, Monaco's workers, the GraphQL POSTs.
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    expect(requests.filter((url) => url.includes('/graphql/explorer/') && url.includes('.worker-')).length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  }, 30_000);

  it('follows the advancing demo job over graphql-ws, with the token from the header editor', async () => {
    requireChromium();
    await page.locator('.graphiql-tab-button', { hasText: 'FollowGaussDBJob' }).click();
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    // The header editor is open beside the operation; the token set there becomes connectionParams.
    await typeToken(DEMO.token);
    t.sim.calls.reset();

    await page.locator('.graphiql-execute-button').click();
    // The current state first (the task is still Pending or Running: the server started seconds ago)...
    const first = await waitForResponse(new RegExp(`"jobId": "${DEMO.gaussdb.advancing}"`));
    expect(first).toContain('"terminal": false');
    // ...then a change made at the simulator, found by the server's poller and pushed over the socket.
    t.sim.store.update('gaussdb', DEMO.projectId, DEMO.gaussdb.advancing, { status: 'Running', process: 42 });
    const update = await waitForResponse(/"progress": 42/);
    expect(update).toContain('"state": "RUNNING"');

    const init = wsFrames.sent.map((f) => JSON.parse(f) as { type: string; payload?: unknown }).find((m) => m.type === 'connection_init');
    expect(init?.payload).toEqual({ 'X-Auth-Token': DEMO.token });
    expect(wsFrames.received.some((f) => f.includes('"type":"next"') && f.includes('"progress":42'))).toBe(true);
    // The poller called upstream with that token, not with the server's own keys.
    const polls = t.sim.calls.list({ jobId: DEMO.gaussdb.advancing });
    expect(polls.length).toBeGreaterThan(0);
    expect(new Set(polls.map((c) => c.credential))).toEqual(new Set([tokenFingerprint(DEMO.token)]));

    await page.screenshot({ path: SCREENSHOT });

    expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin.replace(/^http/, 'ws') && new URL(url).origin !== origin)).toEqual([]);
    expect(requests).toContain(t.url.replace(/^http/, 'ws'));
    expect(failures).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);

    // ■ stops it: the server's poller goes away with the last subscriber.
    await page.locator('.graphiql-execute-button').click();
    for (let i = 0; i < 50 && t.server.pollers.size > 0; i++) await page.waitForTimeout(100);
    expect(t.server.pollers.size).toBe(0);
  }, 30_000);
});
