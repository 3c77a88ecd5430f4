/**
 * Every error code of docs/architecture.md#errors through the real server, retries and Retry-After, per-item failures in
 * jobs(refs), and validation that happens before any upstream call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  // Many injected outages in a row: keep the circuit breaker out of these tests (resilience.e2e tests it).
  t = await startTestServer({ UPSTREAM_TIMEOUT_MS: '400', BREAKER_THRESHOLD: '1000' });
});
afterAll(() => t.close());
beforeEach(() => {
  t.sim.calls.reset();
  t.sim.faults.clear();
});

const WS = DEMO.workspace.running;
const jobQuery = (jobId: string = WS, service = 'WORKSPACE') =>
  `{ job(ref: { service: ${service}, jobId: "${jobId}" }) { jobId state } }`;

function codeOf(res: { errors?: Array<{ extensions?: Record<string, any> }> }): string | undefined {
  return res.errors?.[0]?.extensions?.['code'];
}

describe('BAD_USER_INPUT, before any upstream call', () => {
  const cases: Array<[string, string, Record<string, unknown>?]> = [
    ['an empty job id', `{ job(ref: { service: WORKSPACE, jobId: "  " }) { jobId } }`],
    ['more than 100 refs', `query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId } }`, { refs: Array.from({ length: 101 }, (_, i) => ({ service: 'WORKSPACE', jobId: `j${i}` })) }],
    ['no refs', `{ jobs(refs: []) { jobId } }`],
    ['a limit out of range', `{ appStreamingSubJobs(jobType: "CREATE_SERVER", limit: 101) { totalCount } }`],
    ['a negative offset', `{ workspaceSubJobs(offset: -1) { totalCount } }`],
    ['an unknown App Streaming job type', `{ appStreamingSubJobs(jobType: "MAKE_COFFEE") { totalCount } }`],
    ['an unknown Workspace status', `{ workspaceSubJobs(status: "DONE") { totalCount } }`],
    ['a malformed global id', `{ jobById(id: "not-a-job-id") { jobId } }`],
    ['a global id of the wrong shape', `{ jobById(id: "${Buffer.from('["j1","NOPE","r","p","j"]').toString('base64url')}") { jobId } }`],
    ['a region nobody serves', `{ job(ref: { service: CLOUD_PHONE, jobId: "x", region: "eu-west-101" }) { jobId } }`],
    ['requestId on a non-Cloud-Phone ref', `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "x", requestId: "abc" }) { jobId } }`],
    ['a request id with a comma', `{ cloudPhoneJobs(requestIds: ["a,b"]) { jobId } }`],
    ['more than 100 request ids', `query($ids: [ID!]!) { cloudPhoneJobs(requestIds: $ids) { jobId } }`, { ids: Array.from({ length: 101 }, (_, i) => `r${i}`) }],
    ['an unknown enum value', `{ job(ref: { service: S3, jobId: "x" }) { jobId } }`],
    ['a field that does not exist', `{ job(ref: { service: WORKSPACE, jobId: "x" }) { colour } }`],
    ['a syntax error', `{ job(ref: `],
  ];
  it.each(cases)('%s', async (_what, query, variables) => {
    const res = await t.gql(query, variables);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message.length).toBeGreaterThan(5);
    expect(t.sim.calls.count()).toBe(0);
  });

  describe('a Cloud Phone request id must be 32 characters, wherever it is given', () => {
    const good = 'a'.repeat(32);
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['a short id in cloudPhoneJobs', `query($ids: [ID!]!) { cloudPhoneJobs(requestIds: $ids) { jobId } }`, { ids: [good, good, 'abc'] }, 'requestIds[2] must be a 32-character request id'],
      ['a 33-character id in cloudPhoneJobs', `query($ids: [ID!]!) { cloudPhoneJobs(requestIds: $ids) { jobId } }`, { ids: [`${good}b`] }, 'requestIds[0] must be a 32-character request id'],
      ['a short ref.requestId in job', `query($ref: JobRef!) { job(ref: $ref) { jobId } }`, { ref: { service: 'CLOUD_PHONE', jobId: good, requestId: 'abc' } }, 'ref.requestId must be a 32-character request id'],
      [
        'a long refs[1].requestId in jobs',
        `query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId } }`,
        { refs: [{ service: 'CLOUD_PHONE', jobId: good, requestId: good }, { service: 'CLOUD_PHONE', jobId: good, requestId: 'c'.repeat(40) }] },
        'refs[1].requestId must be a 32-character request id',
      ],
    ];
    it.each(cases)('%s', async (_what, query, variables, message) => {
      const res = await t.gql(query, variables);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message).toContain(message);
      expect(t.sim.calls.count()).toBe(0);
    });
  });

  it('an upstream 400 is BAD_USER_INPUT with the upstream details', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 400 });
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions!['upstream']).toMatchObject({ service: 'WORKSPACE', httpStatus: 400, errorCode: expect.any(String), requestId: expect.any(String) });
    expect(t.sim.calls.count()).toBe(1); // a 400 is not retried
  });
});

describe('upstream failures', () => {
  it('401 is UNAUTHENTICATED (a bad token, forwarded)', async () => {
    const res = await t.gql(jobQuery(), {}, { 'X-Auth-Token': 'not-a-valid-token-123' });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.extensions!['upstream']).toMatchObject({ httpStatus: 401, errorCode: 'APIG.0301' });
    expect(JSON.stringify(res)).not.toContain('not-a-valid-token-123');
  });

  it('403 is FORBIDDEN', async () => {
    t.sim.faults.add({ route: 'gaussdb.showJob', status: 403 });
    const res = await t.gql(jobQuery(DEMO.gaussdb.running, 'GAUSSDB_MYSQL'));
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.extensions!['upstream']).toMatchObject({ service: 'GAUSSDB_MYSQL', httpStatus: 403 });
  });

  it('429 after retries is RATE_LIMITED', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 429, headers: { 'Retry-After': '0' } });
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('RATE_LIMITED');
    expect(t.sim.calls.count()).toBe(3); // the first try and two retries
  });

  it.each([502, 503, 504])('%i after retries is UPSTREAM_UNAVAILABLE', async (status) => {
    t.sim.faults.add({ route: 'cloudPhone.showJob', status });
    const res = await t.gql(jobQuery(DEMO.cloudPhone.running, 'CLOUD_PHONE'));
    expect(codeOf(res)).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!['upstream']).toMatchObject({ service: 'CLOUD_PHONE', httpStatus: status });
    expect(t.sim.calls.count()).toBe(3);
  });

  it('a connection reset is UPSTREAM_UNAVAILABLE', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', reset: true });
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!['upstream']).toMatchObject({ httpStatus: null });
  });

  it('an upstream that hangs times out as UPSTREAM_UNAVAILABLE, without hanging the query', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', hang: true });
    const started = Date.now();
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.message).toContain('did not answer');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a 500 is UPSTREAM_ERROR', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 500 });
    expect(codeOf(await t.gql(jobQuery()))).toBe('UPSTREAM_ERROR');
  });

  it('a body that is not JSON is UPSTREAM_ERROR', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', malformed: true });
    expect(codeOf(await t.gql(jobQuery()))).toBe('UPSTREAM_ERROR');
  });

  it('a body that is not the documented shape is UPSTREAM_ERROR (the official example `{}`)', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 200, body: {} });
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('UPSTREAM_ERROR');
    expect(res.errors![0]!.message).toContain('not the documented shape');
  });

  it('a list route failure fails the list field', async () => {
    t.sim.faults.add({ route: 'cloudPhone.listJobs', status: 503 });
    const res = await t.gql(`{ cloudPhoneJobs(requestIds: ["${DEMO.cloudPhone.requestIds.batch}"]) { jobId } }`);
    expect(codeOf(res)).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('retries', () => {
  it('a transient 503 is retried and the query succeeds', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 503, times: 1 });
    const res = await t.gql(jobQuery());
    expect(res.errors).toBeUndefined();
    expect(res.data!['job']).toEqual({ jobId: WS, state: 'RUNNING' });
    expect(t.sim.calls.count()).toBe(2);
  });

  it('a reset is retried', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', reset: true, times: 1 });
    expect((await t.gql(jobQuery())).data!['job']).toEqual({ jobId: WS, state: 'RUNNING' });
  });

  it('Retry-After is honored before the retry', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    const started = Date.now();
    const res = await t.gql(jobQuery());
    expect(res.data!['job']).toEqual({ jobId: WS, state: 'RUNNING' });
    const calls = t.sim.calls.list({ route: 'workspace.showJob' });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a Retry-After longer than a query should wait fails fast as RATE_LIMITED', async () => {
    t.sim.faults.add({ route: 'workspace.showJob', status: 429, headers: { 'Retry-After': '120' } });
    const started = Date.now();
    const res = await t.gql(jobQuery());
    expect(codeOf(res)).toBe('RATE_LIMITED');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(t.sim.calls.count()).toBe(1);
  });
});

describe('jobs(refs) with one failing item', () => {
  it('makes that item null with its own error; the others resolve', async () => {
    t.sim.faults.add({ route: 'gaussdb.showJob', jobId: DEMO.gaussdb.failed, status: 403 });
    const res = await t.gql(`query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId state } }`, {
      refs: [
        { service: 'WORKSPACE', jobId: DEMO.workspace.success },
        { service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.failed },
        { service: 'CLOUD_PHONE', jobId: DEMO.cloudPhone.success },
        { service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.failed },
      ],
    });
    expect(res.data!['jobs']).toEqual([
      { jobId: DEMO.workspace.success, state: 'SUCCEEDED' },
      null,
      { jobId: DEMO.cloudPhone.success, state: 'SUCCEEDED' },
      null,
    ]);
    expect(res.errors!.map((e) => [e.path, e.extensions!['code']])).toEqual([
      [['jobs', 1], 'FORBIDDEN'],
      [['jobs', 3], 'FORBIDDEN'],
    ]);
    expect(t.sim.calls.count({ route: 'gaussdb.showJob' })).toBe(1);
  });
});
