/**
 * Fault injection: the simulator misbehaves while queries and a subscription run. Every query gets
 * data or a contract error code, nothing crashes or rejects unhandled, the subscription survives and sees
 * the change after recovery, pollers and memory stay bounded. And the per-host circuit breaker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../src/simulator/index.js';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';

const CONTRACT_CODES = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('fault injection', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ POLL_INTERVAL_MS: '100', UPSTREAM_TIMEOUT_MS: '300', BREAKER_THRESHOLD: '1000' });
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.sim.faults.clear();
    expect(unhandled).toEqual([]);
  });

  const scenarios: Array<[string, Omit<FaultSpec, 'route'>]> = [
    ['a latency spike', { delayMs: 250, times: 15 }],
    ['a burst of 5xx', { status: 503, times: 15 }],
    ['connection resets', { reset: true, times: 10 }],
    ['malformed bodies', { malformed: true, times: 10 }],
    ['a 429 storm', { status: 429, headers: { 'Retry-After': '0' }, times: 30 }],
    ['an upstream that hangs', { hang: true, times: 4 }],
  ];

  let n = 0;
  it.each(scenarios)('%s: clear errors, no crash, the subscription survives and recovers', async (_name, fault) => {
    const jobId = `fa017000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    t.sim.store.add('gaussdb', { id: jobId, status: 'Running', process: 20, instance: { id: 'f'.repeat(32) + 'in07', name: 'db' } });
    const heapBefore = process.memoryUsage().heapUsed;
    const client = wsClient(t.url);
    try {
      const sub = collect(client, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { state progress } }`);
      await sub.waitFor(1);

      t.sim.faults.add({ route: 'gaussdb.showJob', ...fault });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => t.gql(`{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }) { state } }`)),
      );
      for (const res of results) {
        if (res.errors) {
          expect(CONTRACT_CODES).toContain(res.errors[0]!.extensions!['code']);
          expect(res.errors[0]!.message).not.toBe('Internal error');
        } else {
          expect(res.data).toEqual({ job: { state: 'RUNNING' } });
        }
      }
      await sleep(300);

      // Recovery: the fault is gone, the job changes, the subscriber sees it and completes.
      t.sim.faults.clear();
      t.sim.store.update('gaussdb', DEMO.projectId, jobId, { status: 'Completed' });
      expect(await sub.done).toEqual({});
      expect(sub.messages.map((m) => m.data?.['jobUpdated']?.state)).toEqual(['RUNNING', 'SUCCEEDED']);
      expect(sub.messages.every((m) => !m.errors)).toBe(true);
      expect(t.server.pollers.size).toBe(0);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await client.dispose();
    }
  });
});

describe('circuit breaker per upstream host', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ BREAKER_THRESHOLD: '3', BREAKER_HALF_OPEN_MS: '500', UPSTREAM_RETRIES: '0' });
  });
  afterAll(() => t.close());

  const query = `{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.success}" }) { state } }`;

  it('opens after consecutive outages, fails fast without calling, and recovers by itself', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 503 });
    for (let i = 0; i < 3; i++) expect((await t.gql(query)).errors![0]!.extensions!['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(t.sim.calls.count()).toBe(3);
    expect(Object.values(t.server.breakers.states())).toEqual(['open']);

    const started = Date.now();
    const fast = await t.gql(query);
    expect(fast.errors![0]!.extensions!['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.errors![0]!.message).toContain('circuit open');
    expect(Date.now() - started).toBeLessThan(200);
    expect(t.sim.calls.count()).toBe(3); // no call while open
    const metrics = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(/upstream_circuit_state\{host="[^"]+"\} 1/);

    t.sim.faults.clear();
    await sleep(600);
    expect((await t.gql(query)).data).toEqual({ job: { state: 'SUCCEEDED' } }); // the trial call closes it
    expect(Object.values(t.server.breakers.states())).toEqual(['closed']);
  });

  it('is not opened by answers from a live service (4xx, 429)', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 403, times: 5 });
    for (let i = 0; i < 5; i++) expect((await t.gql(query)).errors![0]!.extensions!['code']).toBe('FORBIDDEN');
    expect(Object.values(t.server.breakers.states())).toEqual(['closed']);
    expect((await t.gql(query)).data).toEqual({ job: { state: 'SUCCEEDED' } });
  });
});
