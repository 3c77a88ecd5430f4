/**
 * Running jobs: one upstream read in flight per job and credential, shared by operations and pollers, and a
 * freshness window (JOB_MAX_AGE_MS) within which any earlier observation answers a query.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';

const TOKEN_A = 'observe-token-a-0000';
const TOKEN_B = 'observe-token-b-1111';
const RUNNING = DEMO.gaussdb.running;
const q = (jobId: string) => `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { jobId state progress } }`;
const as = (token: string) => ({ 'X-Auth-Token': token });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Simulator;
const servers: TestServer[] = [];
const start = async (env: Record<string, string>) => {
  const overrides = Object.fromEntries(['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'].map((s) => [`HUAWEICLOUD_SDK_REGION_${s}_CN_NORTH_4`, sim.url]));
  const t = await startTestServer({ UPSTREAM: 'huaweicloud', HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, ...overrides, ...env }, { simulator: sim });
  servers.push(t);
  return t;
};
let off: TestServer; // JOB_MAX_AGE_MS=0: coalescing only
let windowed: TestServer; // JOB_MAX_AGE_MS=400
beforeAll(async () => {
  sim = await createSimulator({ tokens: { [TOKEN_A]: { projects: '*' }, [TOKEN_B]: { projects: '*' } } });
  [off, windowed] = await Promise.all([start({ JOB_MAX_AGE_MS: '0', UPSTREAM_RETRIES: '0' }), start({ JOB_MAX_AGE_MS: '400' })]);
});
afterAll(async () => {
  await Promise.all(servers.map((t) => t.close()));
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.calls.reset();
});

/** `job_reads_total{source}` of a server's /metrics. */
async function reads(server: TestServer, source: string): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(new RegExp(`job_reads_total\\{source="${source}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

const showJobCallsOf = (jobId: string) => sim.calls.count({ route: 'gaussdb.showJob', jobId });
const showJobCalls = () => showJobCallsOf(RUNNING);

describe('in-flight coalescing (JOB_MAX_AGE_MS=0)', () => {
  it('N concurrent operations on one running job make one upstream call and get the same answer', async () => {
    sim.faults.add({ route: 'gaussdb.showJob', jobId: RUNNING, delayMs: 300 });
    const joinedBefore = await reads(off, 'in_flight');
    const answers = await Promise.all(Array.from({ length: 12 }, () => off.gql(q(RUNNING), {}, as(TOKEN_A))));
    expect(showJobCalls()).toBe(1);
    expect((await reads(off, 'in_flight')) - joinedBefore).toBe(11);
    for (const a of answers) expect(a.data).toEqual({ job: { jobId: RUNNING, state: 'RUNNING', progress: 60 } });
  });

  it('an upstream error reaches every operation that shared the call', async () => {
    sim.faults.add({ route: 'gaussdb.showJob', jobId: RUNNING, delayMs: 300, status: 500 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => off.gql(q(RUNNING), {}, as(TOKEN_A))));
    expect(showJobCalls()).toBe(1);
    for (const a of answers) {
      expect(a.data).toEqual({ job: null });
      expect(a.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    }
  });

  it('another credential never shares the call: one call per credential', async () => {
    sim.faults.add({ route: 'gaussdb.showJob', jobId: RUNNING, delayMs: 300 });
    await Promise.all([TOKEN_A, TOKEN_B, TOKEN_A, TOKEN_B].map((token) => off.gql(q(RUNNING), {}, as(token))));
    expect(showJobCalls()).toBe(2);
    expect(sim.calls.list({ route: 'gaussdb.showJob' }).map((c) => c.authKind)).toEqual(['token', 'token']);
  });

  it('with the window off, every query after the call settled fetches again', async () => {
    await off.gql(q(RUNNING), {}, as(TOKEN_A));
    await off.gql(q(RUNNING), {}, as(TOKEN_A));
    expect(showJobCalls()).toBe(2);
  });

  it('Cloud Phone: a batched ListJobs call in flight covers the jobs of the request ids it asks for', async () => {
    const jobs = sim.store.list('cloudPhone', DEMO.projectId);
    const byRequest = new Map<string, string[]>();
    for (const j of jobs) byRequest.set(j.requestId, [...(byRequest.get(j.requestId) ?? []), j.id]);
    const [requestId, ids] = [...byRequest.entries()].find(([, list]) => list.length >= 2)!;
    sim.faults.add({ route: 'cloudPhone.listJobs', delayMs: 300 });
    const ref = (jobId: string) => `{ job(ref: { service: CLOUD_PHONE, jobId: "${jobId}", requestId: "${requestId}" }) { jobId } }`;
    const answers = await Promise.all([off.gql(ref(ids[0]!), {}, as(TOKEN_A)), off.gql(ref(ids[1]!), {}, as(TOKEN_A))]);
    expect(answers.map((a) => a.data?.['job']?.jobId)).toEqual([ids[0], ids[1]]);
    expect(sim.calls.count({ route: 'cloudPhone.listJobs' })).toBe(1);
  });
});

describe('freshness window (JOB_MAX_AGE_MS=400)', () => {
  it('a younger observation answers; an older one is fetched again', async () => {
    const first = await windowed.gql(q(RUNNING), {}, as(TOKEN_A));
    await windowed.gql(q(RUNNING), {}, as(TOKEN_A));
    expect(showJobCalls()).toBe(1);
    await sleep(500);
    const third = await windowed.gql(q(RUNNING), {}, as(TOKEN_A));
    expect(showJobCalls()).toBe(2);
    expect(third.data).toEqual(first.data);
  });

  it('an observation made with one credential never answers another', async () => {
    await windowed.gql(q(RUNNING), {}, as(TOKEN_A)); // observed with A (now, or by the test before)
    sim.calls.reset();
    await windowed.gql(q(RUNNING), {}, as(TOKEN_B));
    await windowed.gql(q(RUNNING), {}, as(TOKEN_B));
    expect(sim.calls.list({ route: 'gaussdb.showJob' }).map((c) => c.authKind)).toEqual(['token']);
  });

  it('a change upstream is seen once the window has passed', async () => {
    const id = DEMO.gaussdb.advancing;
    sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Running', process: 20 });
    const before = await windowed.gql(q(id), {}, as(TOKEN_A));
    sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Running', process: 30 });
    const within = await windowed.gql(q(id), {}, as(TOKEN_A));
    await sleep(450);
    const after = await windowed.gql(q(id), {}, as(TOKEN_A));
    expect([before, within, after].map((a) => a.data?.['job']?.progress)).toEqual([20, 20, 30]);
  });
});

describe('poller observations answer queries', () => {
  it('a query on a job a subscription polls costs no upstream call within the window', async () => {
    const t = await start({ JOB_MAX_AGE_MS: '5000', POLL_INTERVAL_MS: '1000' });
    const client = wsClient(t.url, as(TOKEN_A));
    try {
      const sub = collect(client, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${RUNNING}" }) { state } }`);
      await sub.waitFor(1);
      expect(showJobCalls()).toBe(1);
      const answers = await Promise.all(Array.from({ length: 5 }, () => t.gql(q(RUNNING), {}, as(TOKEN_A))));
      for (const a of answers) expect(a.data?.['job']?.state).toBe('RUNNING');
      expect(showJobCalls()).toBe(1);
      sub.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

describe('response cache and running jobs', () => {
  it('replays an answer while its observations hold, byte for byte; a newer observation makes it a miss', async () => {
    const t = await start({ JOB_MAX_AGE_MS: '400', TERMINAL_CACHE_MAX: '1000' });
    const id = DEMO.gaussdb.advancing;
    sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Running', process: 40 });
    const send = async () => {
      const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...as(TOKEN_A) }, body: JSON.stringify({ query: q(id) }) });
      return { body: await res.text(), cacheControl: res.headers.get('cache-control'), type: res.headers.get('content-type') };
    };
    const operations = async () => {
      const text = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
      return Number(/graphql_operations_total\{type="query"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const miss = await send();
    const ran = await operations();
    const hit = await send();
    expect(await operations()).toBe(ran); // answered before GraphQL ran
    expect(hit).toEqual(miss);
    expect(showJobCallsOf(id)).toBe(1);
    sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Running', process: 50 });
    await sleep(450); // the observation expired: Apollo answers again, from a new one
    const after = await send();
    expect(await operations()).toBe(ran + 1);
    expect(JSON.parse(after.body).data.job.progress).toBe(50);
    expect(showJobCallsOf(id)).toBe(2);
  });
});

