/**
 * Live job status over graphql-ws: a real graphql-ws client against the running server and its
 * simulator. Upstream calls are counted at the simulator.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { DEMO } from '../src/simulator/index.js';
import { CLOUD_TOKENS, cloudWithTokens, startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';
import { addGaussDbJob } from './support/jobs.js';

const INTERVAL = 150;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const uniqueId = () => `5ub${(++n).toString(16).padStart(5, '0')}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
const hex32 = () => `${(++n).toString(16).padStart(8, '0')}${Date.now().toString(16)}`.padEnd(32, 'e').slice(0, 32);

let t: TestServer;
const clients: Client[] = [];
const client = (params?: Record<string, unknown>) => {
  const c = wsClient(t.url, params);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  t = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), MAX_SUBSCRIPTIONS_PER_CONNECTION: '150' });
});
afterAll(() => t.close());
beforeEach(() => {
  t.sim.calls.reset();
  t.sim.faults.clear();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  // The server sees the sockets close a moment later; each test starts with no poller left over.
  for (let i = 0; i < 100 && t.server.pollers.size > 0; i++) await sleep(20);
  expect(t.server.pollers.size).toBe(0);
});

/** A GaussDB task that runs 10% → 20% → 20% (no visible change) → Completed. */
const addProgressingJob = () =>
  addGaussDbJob(t.sim, [
    { afterMs: 600, process: 20 },
    { afterMs: 1200, failReason: null },
    { afterMs: 1800, status: 'Completed' },
  ]);

const JOB_UPDATED = (jobId: string, fields = 'state progress') =>
  `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { ${fields} } }`;

describe('jobUpdated', () => {
  it('sends the current state at once, then each visible change, then completes after the terminal state', async () => {
    const id = addProgressingJob();
    const started = Date.now();
    const sub = collect(client(), JOB_UPDATED(id, 'jobId state rawStatus terminal progress'));
    await sub.waitFor(1);
    expect(Date.now() - started).toBeLessThan(INTERVAL * 3); // not after a poll interval
    expect(await sub.done).toEqual({});
    expect(sub.messages.map((m) => m.data!['jobUpdated'])).toEqual([
      { jobId: id, state: 'RUNNING', rawStatus: 'Running', terminal: false, progress: 10 },
      { jobId: id, state: 'RUNNING', rawStatus: 'Running', terminal: false, progress: 20 },
      { jobId: id, state: 'SUCCEEDED', rawStatus: 'Completed', terminal: true, progress: 100 },
    ]);
    // Many polls happened, but only changes were pushed.
    expect(t.sim.calls.count({ jobId: id })).toBeGreaterThan(5);
    await sleep(INTERVAL * 3);
    expect(t.server.pollers.size).toBe(0);
  });

  it('pushes only what the subscriber can see in its selection', async () => {
    const id = addProgressingJob();
    const sub = collect(client(), JOB_UPDATED(id, 'state'));
    await sub.done;
    expect(sub.messages.map((m) => m.data!['jobUpdated'])).toEqual([{ state: 'RUNNING' }, { state: 'SUCCEEDED' }]);
  });

  it('a late subscriber gets the latest state at once, without another upstream call', async () => {
    const id = addProgressingJob();
    const c = client();
    const first = collect(c, JOB_UPDATED(id));
    await first.waitFor(1);
    await sleep(50);
    const callsBefore = t.sim.calls.count({ jobId: id });
    const late = collect(c, JOB_UPDATED(id));
    await late.waitFor(1, 100);
    expect(t.sim.calls.count({ jobId: id })).toBe(callsBefore);
    expect(late.messages[0]!.data!['jobUpdated']).toEqual(first.messages.at(-1)!.data!['jobUpdated']);
    expect(t.server.pollers.size).toBe(1);
  });

  it('ends with an error when the job does not exist', async () => {
    const sub = collect(client(), JOB_UPDATED('00000000-dead-4bee-8f00-000000000000'));
    expect(await sub.done).toEqual({});
    expect(sub.messages).toHaveLength(1);
    expect(sub.messages[0]!.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(sub.messages[0]!.errors![0]!.message).toContain('does not exist');
  });

  it('rejects bad input with BAD_USER_INPUT before any polling', async () => {
    const sub = collect(client(), `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "" }) { state } }`);
    const outcome = await sub.done;
    const errors = sub.messages[0]?.errors ?? (outcome.error as Array<{ extensions?: Record<string, any> }>);
    expect(errors[0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(t.sim.calls.count()).toBe(0);
    expect(t.server.pollers.size).toBe(0);
  });

  it('rejects a malformed Cloud Phone request id, naming its position, before any polling', async () => {
    const good = 'a'.repeat(32);
    const queries: Array<[string, string]> = [
      [`subscription { jobUpdated(ref: { service: CLOUD_PHONE, jobId: "${good}", requestId: "abc" }) { state } }`, 'ref.requestId must be a 32-character'],
      [
        `subscription { jobsUpdated(refs: [{ service: CLOUD_PHONE, jobId: "${good}" }, { service: CLOUD_PHONE, jobId: "${good}", requestId: "abc" }]) { state } }`,
        'refs[1].requestId must be a 32-character',
      ],
    ];
    for (const [query, message] of queries) {
      const sub = collect(client(), query);
      const outcome = await sub.done;
      const errors = sub.messages[0]?.errors ?? (outcome.error as Array<{ message: string; extensions?: Record<string, any> }>);
      expect(errors[0]!.extensions!['code']).toBe('BAD_USER_INPUT');
      expect(errors[0]!.message).toContain(message);
    }
    expect(t.sim.calls.count()).toBe(0);
    expect(t.server.pollers.size).toBe(0);
  });

  it('a transient upstream failure does not end the subscription; polling backs off, then recovers', async () => {
    const id = uniqueId();
    t.sim.store.add('gaussdb', { id, status: 'Running', process: 50, instance: { id: 'x'.repeat(32) + 'in07', name: 'db' } });
    const sub = collect(client(), JOB_UPDATED(id));
    await sub.waitFor(1);
    t.sim.faults.add({ route: 'gaussdb.showJob', jobId: id, status: 503 });
    await sleep(INTERVAL * 12);
    const failing = t.sim.calls.list({ jobId: id, status: 503 }).map((c) => c.at);
    const gaps = failing.slice(1).map((at, i) => at - failing[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(gaps.length).toBeLessThan(7); // at the base interval there would be ~12
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]! * 1.5); // exponential
    t.sim.faults.clear();
    t.sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Completed' });
    expect(await sub.done).toEqual({});
    expect(sub.messages.map((m) => m.data!['jobUpdated'].state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(sub.messages.every((m) => m.errors === undefined)).toBe(true);
  });

  it('honors Retry-After before the next poll', async () => {
    const id = uniqueId();
    t.sim.store.add('gaussdb', { id, status: 'Running', process: 50, instance: { id: 'y'.repeat(32) + 'in07', name: 'db' } });
    const sub = collect(client(), JOB_UPDATED(id));
    await sub.waitFor(1);
    t.sim.faults.add({ route: 'gaussdb.showJob', jobId: id, status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    await sleep(INTERVAL * 2 + 1300);
    const calls = t.sim.calls.list({ jobId: id });
    const limited = calls.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThan(0);
    expect(calls[limited + 1]!.at - calls[limited]!.at).toBeGreaterThanOrEqual(990);
  });

  it('stops the poller when the last subscriber leaves', async () => {
    const id = uniqueId();
    t.sim.store.add('gaussdb', { id, status: 'Running', process: 5, instance: { id: 'z'.repeat(32) + 'in07', name: 'db' } });
    const c = client();
    const a = collect(c, JOB_UPDATED(id));
    const b = collect(c, JOB_UPDATED(id));
    await Promise.all([a.waitFor(1), b.waitFor(1)]);
    a.unsubscribe();
    await sleep(INTERVAL * 2);
    expect(t.server.pollers.size).toBe(1);
    b.unsubscribe();
    await sleep(50);
    expect(t.server.pollers.size).toBe(0);
    const calls = t.sim.calls.count({ jobId: id });
    await sleep(INTERVAL * 4);
    expect(t.sim.calls.count({ jobId: id })).toBe(calls);
  });
});

describe('fan-in', () => {
  it('hundreds of subscribers on a few jobs poll upstream once per distinct job per tick', async () => {
    const ids = [uniqueId(), uniqueId(), uniqueId()];
    for (const id of ids) t.sim.store.add('workspace', { id, status: 'RUNNING', jobType: 'createDesktops' });
    const subs = [];
    for (let c = 0; c < 3; c++) {
      const conn = client();
      for (let i = 0; i < 100; i++) {
        const id = ids[(c + i) % 3]!;
        subs.push(collect(conn, `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "${id}" }) { state } }`));
      }
    }
    await Promise.all(subs.map((s) => s.waitFor(1)));
    expect(t.server.pollers.size).toBe(3);
    expect(t.server.pollers.subscriberCount).toBe(300);
    t.sim.calls.reset();
    const window = INTERVAL * 10;
    await sleep(window);
    const perJob = ids.map((id) => t.sim.calls.count({ jobId: id }));
    // ~10 ticks each (jitter ±20%), never multiplied by the 100 subscribers per job.
    for (const count of perJob) {
      expect(count).toBeGreaterThanOrEqual(6);
      expect(count).toBeLessThanOrEqual(14);
    }
    expect(t.sim.calls.count()).toBe(perJob.reduce((a, b) => a + b, 0));
    expect(subs.every((s) => s.messages.length === 1)).toBe(true); // nothing changed, nothing pushed
  });

  it('Cloud Phone pollers share batched ListJobs calls (≤ 20 request ids each)', async () => {
    const jobs = Array.from({ length: 25 }, () => ({ id: hex32(), requestId: hex32() }));
    for (const j of jobs) t.sim.store.add('cloudPhone', { id: j.id, requestId: j.requestId, status: 1 });
    const conn = client();
    const subs = jobs.map((j) =>
      collect(conn, `subscription { jobUpdated(ref: { service: CLOUD_PHONE, jobId: "${j.id}", requestId: "${j.requestId}" }) { state } }`),
    );
    await Promise.all(subs.map((s) => s.waitFor(1)));
    await sleep(INTERVAL * 2);
    t.sim.calls.reset();
    await sleep(INTERVAL * 6);
    const listCalls = t.sim.calls.list({ route: 'cloudPhone.listJobs' });
    expect(t.sim.calls.count({ route: 'cloudPhone.showJob' })).toBe(0);
    expect(listCalls.length).toBeGreaterThan(0);
    expect(listCalls.every((c) => c.query['request_ids']!.split(',').length <= 20)).toBe(true);
    // 25 jobs: 2 calls per tick, not 25.
    const ticks = listCalls.length / 2;
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(ticks).toBeLessThanOrEqual(9);
  });

  it('a Cloud Phone ref without requestId learns it from ShowJob and batches from the second poll on', async () => {
    const job = { id: hex32(), requestId: hex32() };
    t.sim.store.add('cloudPhone', { id: job.id, requestId: job.requestId, status: 1 });
    const sub = collect(client(), `subscription { jobUpdated(ref: { service: CLOUD_PHONE, jobId: "${job.id}" }) { state } }`);
    await sub.waitFor(1);
    await sleep(INTERVAL * 4);
    const routes = t.sim.calls.list({}).map((c) => c.route);
    expect(routes[0]).toBe('cloudPhone.showJob');
    expect(routes.slice(1).every((r) => r === 'cloudPhone.listJobs')).toBe(true);
    expect(routes.length).toBeGreaterThan(2);
  });
});

describe('jobsUpdated', () => {
  it('streams several jobs and completes when all are terminal; a missing one yields one error and is dropped', async () => {
    const a = addProgressingJob();
    const b = uniqueId();
    t.sim.store.add('gaussdb', { id: b, status: 'Running', process: 30, instance: { id: 'b'.repeat(32) + 'in07', name: 'db' }, timeline: [{ afterMs: 400, status: 'Failed', failReason: 'disk full' }] });
    const sub = collect(
      client(),
      `subscription($refs: [JobRef!]!) { jobsUpdated(refs: $refs) { jobId state error { message } } }`,
      { refs: [{ service: 'GAUSSDB_MYSQL', jobId: a }, { service: 'GAUSSDB_MYSQL', jobId: b }, { service: 'GAUSSDB_MYSQL', jobId: '00000000-0000-4000-8000-00000000beef' }, { service: 'GAUSSDB_MYSQL', jobId: a }] },
    );
    expect(await sub.done).toEqual({});
    const events = sub.messages.map((m) => m.data?.['jobsUpdated'] ?? m.errors![0]!.extensions!['code']);
    expect(events.filter((e) => e === 'BAD_USER_INPUT')).toHaveLength(1);
    expect(events.filter((e) => e.jobId === a).map((e) => e.state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(events.filter((e) => e.jobId === b)).toEqual([
      { jobId: b, state: 'RUNNING', error: null },
      { jobId: b, state: 'FAILED', error: { message: 'disk full' } },
    ]);
  });

  it('refuses more than 100 refs', async () => {
    const refs = Array.from({ length: 101 }, (_, i) => ({ service: 'WORKSPACE', jobId: `j${i}` }));
    const sub = collect(client(), `subscription($refs: [JobRef!]!) { jobsUpdated(refs: $refs) { state } }`, { refs });
    const outcome = await sub.done;
    const errors = sub.messages[0]?.errors ?? (outcome.error as Array<{ extensions?: Record<string, any> }>);
    expect(errors[0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(t.sim.calls.count()).toBe(0);
  });
});

describe('limits', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_POLLERS: '3' });
  });
  afterAll(() => limited.close());

  const sub = (c: Client, id: string) =>
    collect(c, `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "${id}" }) { state } }`);

  it('bounds subscriptions per connection', async () => {
    const c = wsClient(limited.url);
    clients.push(c);
    const [a, b, extra] = [sub(c, DEMO.workspace.running), sub(c, DEMO.workspace.waiting), sub(c, DEMO.workspace.running)];
    await Promise.all([a.waitFor(1), b.waitFor(1)]);
    const outcome = await extra.done;
    const errors = outcome.error as Array<{ message: string; extensions?: Record<string, any> }>;
    expect(errors[0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(errors[0]!.message).toContain('MAX_SUBSCRIPTIONS_PER_CONNECTION');
  });

  it('bounds pollers per process with a clear error', async () => {
    const ids = [DEMO.workspace.running, DEMO.workspace.waiting, DEMO.workspace.advancing];
    const conns = ids.map(() => wsClient(limited.url));
    clients.push(...conns);
    const subs = ids.map((id, i) => sub(conns[i]!, id));
    await Promise.all(subs.map((s) => s.waitFor(1)));
    const extraConn = wsClient(limited.url);
    clients.push(extraConn);
    const extra = sub(extraConn, uniqueId());
    const outcome = await extra.done;
    const errors = extra.messages[0]?.errors ?? (outcome.error as Array<{ message: string; extensions?: Record<string, any> }>);
    expect(errors[0]!.extensions!['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(errors[0]!.message).toContain('follows 3 jobs');
    // A job already polled can still be joined.
    const join = sub(extraConn, DEMO.workspace.running);
    await join.waitFor(1);
  });
});

describe('credentials (connectionParams)', () => {
  const { a: TOKEN_A, b: TOKEN_B, none: TOKEN_NONE } = CLOUD_TOKENS;
  const fixture = cloudWithTokens({ POLL_INTERVAL_MS: String(INTERVAL) });

  const q = `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.running}" }) { state } }`;
  const conn = (params?: Record<string, unknown>) => {
    const c = wsClient(fixture.cloud.url, params);
    clients.push(c);
    return c;
  };

  it('fails with UNAUTHENTICATED without a token', async () => {
    const s = collect(conn(), q);
    const outcome = await s.done;
    const errors = s.messages[0]?.errors ?? (outcome.error as Array<{ extensions?: Record<string, any> }>);
    expect(errors[0]!.extensions!['code']).toBe('UNAUTHENTICATED');
  });

  it('reads X-Auth-Token at the top level or under headers, in any case, and keeps credentials apart', async () => {
    fixture.sim.calls.reset();
    const a = collect(conn({ 'X-Auth-Token': TOKEN_A }), q);
    const b = collect(conn({ headers: { 'x-auth-token': TOKEN_B } }), q);
    const denied = collect(conn({ 'X-AUTH-TOKEN': TOKEN_NONE }), q);
    await Promise.all([a.waitFor(1), b.waitFor(1)]);
    await denied.done;
    expect(denied.messages[0]!.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
    expect(a.messages[0]!.data).toEqual({ jobUpdated: { state: 'RUNNING' } });
    expect(b.messages[0]!.data).toEqual({ jobUpdated: { state: 'RUNNING' } });
    // Same job, two credentials: two pollers, each calling with its own token.
    expect(fixture.cloud.server.pollers.size).toBe(2);
    await sleep(INTERVAL * 3);
    const credentials = new Set(fixture.sim.calls.list({}).map((c) => c.credential));
    expect(credentials.size).toBe(3);
    expect(JSON.stringify(denied.messages)).not.toContain(TOKEN_NONE);
  });
});
