/**
 * The WebSocket edges: messages bounded by MAX_REQUEST_BYTES (1009), a heartbeat that drops vanished peers and
 * frees their pollers (KEEPALIVE_MS), the connection_init deadline (4408), and MAX_CONNECTIONS (HTTP 503).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { startChild, scrape, type ChildServer } from './support/processes.js';
import { startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';
import { addGaussDbJob } from './support/jobs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROTOCOL = 'graphql-transport-ws';
const metricsUrl = (url: string) => url.replace(/\/graphql$/, '/metrics');

/** Opens a raw WebSocket; resolves with it once open, or with the HTTP status of a refused upgrade. */
function rawSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; refusedWith?: number }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), PROTOCOL, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ws, refusedWith: res.statusCode });
      res.resume();
    });
    ws.once('error', reject);
  });
}

const closeOf = (ws: WebSocket) => new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));

describe('message size (MAX_REQUEST_BYTES)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MAX_REQUEST_BYTES: '65536' });
  });
  afterAll(() => t.close());

  it('closes a socket that sends a larger message with 1009, counts it, and keeps serving', async () => {
    const { ws } = await rawSocket(t.url);
    ws.on('error', () => undefined); // the server cuts the upload short
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(100_000) } }));
    expect((await closed).code).toBe(1009);
    expect(await scrape(metricsUrl(t.url), 'connections_oversized_messages_total')).toBe(1);
    // A message just under the limit is fine.
    const { ws: ok } = await rawSocket(t.url);
    const acked = new Promise<string>((resolve) => ok.once('message', (data) => resolve(String(data))));
    ok.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(60_000) } }));
    expect(JSON.parse(await acked)).toEqual({ type: 'connection_ack' });
    ok.close();
  });
});

describe('memory under oversized messages (a real server process)', () => {
  let child: ChildServer;
  beforeAll(async () => {
    child = await startChild('src/main.ts', {});
  });
  afterAll(() => child.stop());

  const rssMiB = () => {
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.child.pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  };

  it('ten clients each sending a 60 MiB connection_init leave RSS within 64 MiB of where it started', async () => {
    // Warm up: one ordinary connection, so the baseline includes what every connection needs anyway.
    const { ws: warm } = await rawSocket(child.url);
    warm.close();
    await sleep(200);
    const before = rssMiB();
    const big = Buffer.alloc(60 * 1024 * 1024, 'x');
    const codes = await Promise.all(
      Array.from({ length: 10 }, async () => {
        // A zero mask lets `ws` send the buffer as it is: ten clients write at once, not one after another.
        const { ws } = await rawSocket(child.url, { generateMask: (mask) => mask.fill(0) });
        ws.on('error', () => undefined);
        const closed = closeOf(ws);
        ws.send(big);
        return (await closed).code;
      }),
    );
    const after = rssMiB();
    console.log(`server RSS before ${before.toFixed(0)} MiB, after ten 60 MiB messages ${after.toFixed(0)} MiB`);
    expect(codes).toEqual(Array(10).fill(1009));
    expect(await scrape(child.url.replace(/\/graphql$/, '/metrics'), 'connections_oversized_messages_total')).toBe(10);
    expect(after - before).toBeLessThan(64);
    expect((await fetch(child.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  });
});

describe('heartbeat (KEEPALIVE_MS) and the connection_init deadline', () => {
  const KEEPALIVE = 400;
  let t: TestServer;
  let frozen: ChildProcess | null = null;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestServer({ KEEPALIVE_MS: String(KEEPALIVE), POLL_INTERVAL_MS: '100' });
  });
  afterEach(async () => {
    if (frozen && frozen.exitCode === null) {
      frozen.kill('SIGKILL');
      await new Promise((r) => frozen!.once('exit', r));
    }
    frozen = null;
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => t.close());

  const addRunningJob = (changes: number) =>
    addGaussDbJob(t.sim, Array.from({ length: changes }, (_, i) => ({ afterMs: 250 * (i + 1), process: Math.min(99, 2 + i) })), 1);

  it('drops a frozen client within two heartbeats and stops polling its job; an active client keeps receiving', async () => {
    const frozenJob = addRunningJob(0);
    const activeJob = addRunningJob(40);
    const active = wsClient(t.url);
    clients.push(active);
    const activeSub = collect(active, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${activeJob}" }) { progress } }`);
    await activeSub.waitFor(1);

    frozen = spawn(process.execPath, ['test/fixtures/ws-subscriber.mjs', t.url.replace(/^http/, 'ws'), frozenJob], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: frozen.stdout! });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    expect(JSON.parse(first).data.jobUpdated.state).toBe('RUNNING');
    expect(t.server.pollers.size).toBe(2);

    frozen.kill('SIGSTOP');
    const frozenAt = Date.now();
    while (t.server.pollers.size > 1 && Date.now() - frozenAt < 10 * KEEPALIVE) await sleep(20);
    const droppedAfter = Date.now() - frozenAt;
    expect(t.server.pollers.size).toBe(1);
    expect(droppedAfter).toBeLessThanOrEqual(2 * KEEPALIVE + 300); // two heartbeats, and room for a loaded timer
    expect(await scrape(metricsUrl(t.url), 'connections_heartbeat_timeouts_total')).toBe(1);

    // No more upstream calls for the frozen client's job; the active subscription still gets changes.
    const callsAtDrop = t.sim.calls.count({ jobId: frozenJob });
    const receivedAtDrop = activeSub.messages.length;
    await sleep(3 * KEEPALIVE);
    expect(t.sim.calls.count({ jobId: frozenJob })).toBe(callsAtDrop);
    expect(activeSub.messages.length).toBeGreaterThan(receivedAtDrop);
    expect(await scrape(metricsUrl(t.url), 'connections_open', 'transport="websocket"')).toBe(1);
  });

  it('keeps an idle client that answers pings (the ws library does) for many heartbeats', async () => {
    const { ws } = await rawSocket(t.url);
    let closed = false;
    ws.once('close', () => (closed = true));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await sleep(5 * KEEPALIVE);
    expect(closed).toBe(false);
    ws.close();
  });

  it('closes a socket that never sends connection_init with 4408 after 3 s', async () => {
    const openedAt = Date.now();
    const { ws } = await rawSocket(t.url);
    const { code, at } = await closeOf(ws);
    expect(code).toBe(4408);
    expect(at - openedAt).toBeGreaterThanOrEqual(2900);
  });
});

describe('MAX_CONNECTIONS', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MAX_CONNECTIONS: '2' });
  });
  afterAll(() => t.close());

  it('refuses an upgrade beyond the limit with HTTP 503, counts it, and leaves open connections alone', async () => {
    const a = await rawSocket(t.url);
    const b = await rawSocket(t.url);
    expect(a.refusedWith ?? b.refusedWith).toBeUndefined();
    const refused = await rawSocket(t.url);
    expect(refused.refusedWith).toBe(503);
    expect(await scrape(metricsUrl(t.url), 'connections_refused_total', 'transport="websocket"')).toBe(1);
    expect(await scrape(metricsUrl(t.url), 'connections_open', 'transport="websocket"')).toBe(2);

    // The open ones still work.
    const acked = new Promise<string>((resolve) => a.ws.once('message', (data) => resolve(String(data))));
    a.ws.send(JSON.stringify({ type: 'connection_init' }));
    expect(JSON.parse(await acked)).toEqual({ type: 'connection_ack' });

    // A closed connection gives its slot back.
    const bClosed = closeOf(b.ws);
    b.ws.close();
    await bClosed;
    await sleep(50);
    const c = await rawSocket(t.url);
    expect(c.refusedWith).toBeUndefined();
    a.ws.close();
    c.ws.close();
  });
});
