/**
 * Graceful shutdown of the real entry point (`npm start` = src/main.ts) on SIGTERM and SIGINT: WebSockets close
 * with 1001, SSE streams end with `complete` and multipart ones with the closing boundary, an in-flight HTTP
 * request still gets its answer, the process exits 0 within a few seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../src/simulator/index.js';
import { collect, wsClient } from './support/subscriptions.js';
import { multipartClient, sseClient } from './support/http-subscriptions.js';

let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

async function start(): Promise<{ url: string; simulator: string; exited: Promise<number | null> }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // NODE_ENV as users run it: vitest's NODE_ENV=test changes library defaults (Apollo's signal handlers).
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', POLL_INTERVAL_MS: '200' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg: string; url?: string; simulator?: string };
    if (entry.msg === 'cloud-jobs-subgraph listening') return { url: entry.url!, simulator: entry.simulator!, exited };
  }
  throw new Error('server exited before listening');
}

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s: 1001 to WebSockets, SSE and multipart streams completed, in-flight HTTP finished, exit 0', async (signal) => {
    const { url, simulator, exited } = await start();
    const client = wsClient(url);
    let closeCode: number | undefined;
    client.on('closed', (event) => (closeCode = (event as { code: number }).code));
    const query = `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.advancing}" }) { state } }`;
    const sub = collect(client, query);
    const streams = [sseClient(url), multipartClient(url)];
    const streamed = streams.map((c) => collect(c, query));
    await Promise.all([sub, ...streamed].map((s) => s.waitFor(1)));

    // Make the next upstream call slow, so that a query is in flight when the signal arrives.
    await fetch(`${simulator}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'workspace.showJob', delayMs: 1500 }),
    });
    const inFlight = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.success}" }) { state } }` }),
    }).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 300));

    const signalled = Date.now();
    child!.kill(signal);
    expect(await inFlight).toEqual({ data: { job: { state: 'SUCCEEDED' } } });
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    await sub.done;
    expect(closeCode).toBe(1001);
    // The clients report a clean completion only after `event: complete` / the closing boundary.
    for (const s of streamed) expect(await s.done).toEqual({});
    await client.dispose();
    streams.forEach((c) => c.dispose());
  }, 30_000);
});
