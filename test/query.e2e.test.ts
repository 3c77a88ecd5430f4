/**
 * The query slice end to end: the real HTTP server, its embedded simulator over real HTTP, every query of the
 * contract, normalization through the wire, and upstream call counts read at the simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { JOB_FIELDS } from './support/fragments.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());
beforeEach(() => {
  t.sim.calls.reset();
  t.sim.faults.clear();
});

const JOBS = /* GraphQL */ `
  ${JOB_FIELDS}
  query Jobs($refs: [JobRef!]!) { jobs(refs: $refs) { ...JobFields } }
`;

describe('job(ref) and jobs(refs) against the demo jobs', () => {
  const expected: Array<[service: string, jobId: string, state: string, rawStatus: string, terminal: boolean]> = [
    ['WORKSPACE', DEMO.workspace.waiting, 'PENDING', 'WAITING', false],
    ['WORKSPACE', DEMO.workspace.running, 'RUNNING', 'RUNNING', false],
    ['WORKSPACE', DEMO.workspace.success, 'SUCCEEDED', 'SUCCESS', true],
    ['WORKSPACE', DEMO.workspace.completeAllSucceeded, 'SUCCEEDED', 'COMPLETE', true],
    ['WORKSPACE', DEMO.workspace.completeWithFailedSubJob, 'FAILED', 'COMPLETE', true],
    ['WORKSPACE', DEMO.workspace.fail, 'FAILED', 'FAIL', true],
    ['WORKSPACE', DEMO.workspace.failed, 'FAILED', 'FAILED', true],
    ['APP_STREAMING', DEMO.appStreaming.waiting, 'PENDING', '3', false],
    ['APP_STREAMING', DEMO.appStreaming.running, 'RUNNING', '2', false],
    ['APP_STREAMING', DEMO.appStreaming.success, 'SUCCEEDED', '1', true],
    ['APP_STREAMING', DEMO.appStreaming.failed, 'FAILED', '0', true],
    ['GAUSSDB_MYSQL', DEMO.gaussdb.pending, 'PENDING', 'Pending', false],
    ['GAUSSDB_MYSQL', DEMO.gaussdb.running, 'RUNNING', 'Running', false],
    ['GAUSSDB_MYSQL', DEMO.gaussdb.completed, 'SUCCEEDED', 'Completed', true],
    ['GAUSSDB_MYSQL', DEMO.gaussdb.failed, 'FAILED', 'Failed', true],
    ['CLOUD_PHONE', DEMO.cloudPhone.running, 'RUNNING', '1', false],
    ['CLOUD_PHONE', DEMO.cloudPhone.success, 'SUCCEEDED', '2', true],
    ['CLOUD_PHONE', DEMO.cloudPhone.failed, 'FAILED', '-1', true],
  ];

  it('normalizes every demo status of every service, in the order asked, one upstream call each', async () => {
    const refs = expected.map(([service, jobId]) => ({ service, jobId }));
    const res = await t.gql(JOBS, { refs });
    expect(res.errors).toBeUndefined();
    const jobs = res.data!['jobs'] as Array<Record<string, any>>;
    expect(jobs.map((j) => [j['service'], j['jobId'], j['state'], j['rawStatus'], j['terminal']])).toEqual(expected);
    for (const job of jobs) {
      expect(job['region']).toBe(DEMO.region);
      expect(job['projectId']).toBe(DEMO.projectId);
      if (job['startedAt'] !== null) expect(job['startedAt']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    expect(t.sim.calls.count()).toBe(expected.length);
    // Simulator mode signs every call with the demo AK/SK.
    expect(t.sim.calls.list().every((c) => c.authKind === 'aksk')).toBe(true);
  });

  it('maps details: progress, errors, entities and sub-jobs', async () => {
    const res = await t.gql(JOBS, {
      refs: [
        { service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.running },
        { service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.failed },
        { service: 'WORKSPACE', jobId: DEMO.workspace.completeWithFailedSubJob },
        { service: 'CLOUD_PHONE', jobId: DEMO.cloudPhone.failed },
        { service: 'APP_STREAMING', jobId: DEMO.appStreaming.failed },
      ],
    });
    expect(res.errors).toBeUndefined();
    const [gaussRunning, gaussFailed, workspace, phone, appStreaming] = res.data!['jobs'] as Array<Record<string, any>>;
    expect(gaussRunning!['progress']).toBe(60);
    expect(gaussRunning!['entities'][0]).toMatchObject({ __typename: 'DatabaseInstance' });
    expect(gaussFailed!['error']['message']).toEqual(expect.any(String));
    expect(workspace!['subJobs'].map((s: any) => s.state)).toContain('FAILED');
    expect(workspace!['error']).not.toBeNull();
    expect(workspace!['entities'].every((e: any) => e.__typename === 'Desktop')).toBe(true);
    expect(workspace!['entities'].length).toBeGreaterThan(0);
    expect(phone!['error']).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(phone!['entities'].map((e: any) => e.__typename)).toContain('CloudPhone');
    expect(appStreaming!['subJobs'].map((s: any) => s.state)).toEqual(expect.arrayContaining(['FAILED', 'SUCCEEDED']));
    expect(appStreaming!['subJobs'].find((s: any) => s.rawStatus === '0')?.state).toBe('FAILED');
  });

  it('honors +0800 offsets: a GaussDB time round-trips to the same UTC instant', async () => {
    const started = Date.parse('2018-08-06T02:41:14Z');
    t.sim.store.add('gaussdb', {
      id: '0a7e2c1e-1111-4b0f-9d9d-2f5c0e0c0a01',
      name: 'RebootGaussDBforMySQLInstance',
      status: 'Completed',
      created: started,
      ended: started + 60_000,
      instance: { id: 'a48e43ff268f4c0e879652d65e63d0fbin07', name: 'orders' },
    });
    const res = await t.gql(`{ job(ref: { service: GAUSSDB_MYSQL, jobId: "0a7e2c1e-1111-4b0f-9d9d-2f5c0e0c0a01" }) {
      state progress startedAt finishedAt ... on GaussDBJob { instance { id name } } } }`);
    expect(res.data!['job']).toEqual({
      state: 'SUCCEEDED',
      progress: 100,
      startedAt: '2018-08-06T02:41:14.000Z',
      finishedAt: '2018-08-06T02:42:14.000Z',
      instance: { id: 'a48e43ff268f4c0e879652d65e63d0fbin07', name: 'orders' },
    });
  });

  it('answers null, not an error, for a job that does not exist, for every service', async () => {
    const res = await t.gql(JOBS, {
      refs: [
        { service: 'WORKSPACE', jobId: '00000000-0000-0000-0000-000000000000' },
        { service: 'APP_STREAMING', jobId: '100000000000000000' },
        { service: 'GAUSSDB_MYSQL', jobId: '00000000-0000-0000-0000-000000000001' },
        { service: 'CLOUD_PHONE', jobId: '00000000000000000000000000000000' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!['jobs']).toEqual([null, null, null, null]);
  });

  it('round-trips the global id through jobById', async () => {
    const first = await t.gql(`{ job(ref: { service: CLOUD_PHONE, jobId: "${DEMO.cloudPhone.success}" }) { id jobId } }`);
    const id = first.data!['job']['id'] as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const again = await t.gql(`query($id: ID!) { jobById(id: $id) { id jobId service state } }`, { id });
    expect(again.data!['jobById']).toEqual({ id, jobId: DEMO.cloudPhone.success, service: 'CLOUD_PHONE', state: 'SUCCEEDED' });
  });
});

describe('one upstream call per distinct job per operation (docs/architecture.md#one-call-per-job)', () => {
  it('dedupes a job repeated in lists, aliases and nested selections', async () => {
    const a = { service: 'WORKSPACE', jobId: DEMO.workspace.running };
    const b = { service: 'GAUSSDB_MYSQL', jobId: DEMO.gaussdb.running };
    const res = await t.gql(
      `query($refs: [JobRef!]!, $a: JobRef!) {
        first: jobs(refs: $refs) { jobId subJobs { id } entities { __typename } }
        second: jobs(refs: $refs) { jobId state }
        one: job(ref: $a) { jobId }
        two: job(ref: $a) { state }
      }`,
      { refs: [a, b, a, a, b], a },
    );
    expect(res.errors).toBeUndefined();
    expect((res.data!['first'] as any[]).map((j) => j.jobId)).toEqual([a.jobId, b.jobId, a.jobId, a.jobId, b.jobId]);
    expect(t.sim.calls.count({ route: 'workspace.showJob', jobId: a.jobId })).toBe(1);
    expect(t.sim.calls.count({ route: 'gaussdb.showJob' })).toBe(1);
    expect(t.sim.calls.count()).toBe(2);
  });

  it('makes a fresh call in the next operation (loaders live per operation)', async () => {
    const q = `{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.success}" }) { jobId } }`;
    await t.gql(q);
    await t.gql(q);
    expect(t.sim.calls.count({ route: 'workspace.showJob' })).toBe(2);
  });
});

describe('Cloud Phone batching (docs/architecture.md#one-call-per-job)', () => {
  const requestIds: string[] = [];
  const jobIds: string[] = [];
  beforeAll(() => {
    for (let i = 0; i < 45; i++) {
      const requestId = `b0${i.toString(16).padStart(2, '0')}`.padEnd(32, 'a');
      const jobId = `c0${i.toString(16).padStart(2, '0')}`.padEnd(32, 'b');
      requestIds.push(requestId);
      jobIds.push(jobId);
      t.sim.store.add('cloudPhone', { id: jobId, requestId, status: i % 3 === 0 ? -1 : 2, phoneId: `d0${i}`.padEnd(32, 'c') });
    }
  });

  it('cloudPhoneJobs makes ⌈n/20⌉ ListJobs calls for n distinct request ids', async () => {
    const res = await t.gql(`query($ids: [ID!]!) { cloudPhoneJobs(requestIds: $ids) { jobId state phone { id } } }`, {
      ids: [...requestIds, ...requestIds.slice(0, 5)], // duplicates count once
    });
    expect(res.errors).toBeUndefined();
    const jobs = res.data!['cloudPhoneJobs'] as Array<{ jobId: string; state: string }>;
    expect(jobs.map((j) => j.jobId).sort()).toEqual([...jobIds].sort());
    expect(jobs.find((j) => j.jobId === jobIds[0])!.state).toBe('FAILED');
    expect(t.sim.calls.count({ route: 'cloudPhone.listJobs' })).toBe(3);
    expect(t.sim.calls.count({ route: 'cloudPhone.showJob' })).toBe(0);
    const asked = t.sim.calls.list({ route: 'cloudPhone.listJobs' }).map((c) => c.query['request_ids']!.split(',').length);
    expect(asked.sort()).toEqual([20, 20, 5]);
  });

  it('refs carrying requestId share batched ListJobs calls, matched by job_id', async () => {
    const refs = jobIds.slice(0, 25).map((jobId, i) => ({ service: 'CLOUD_PHONE', jobId, requestId: requestIds[i] }));
    const res = await t.gql(`query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId ... on CloudPhoneJob { requestId } } }`, {
      refs: [...refs].reverse(),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!['jobs']).toEqual([...refs].reverse().map((r) => ({ jobId: r.jobId, requestId: r.requestId })));
    expect(t.sim.calls.count({ route: 'cloudPhone.listJobs' })).toBe(2);
    expect(t.sim.calls.count({ route: 'cloudPhone.showJob' })).toBe(0);
  });

  it('a ref without requestId uses ShowJob, which reports the requestId', async () => {
    const res = await t.gql(`{ job(ref: { service: CLOUD_PHONE, jobId: "${jobIds[7]}" }) { ... on CloudPhoneJob { requestId } } }`);
    expect(res.data!['job']).toEqual({ requestId: requestIds[7] });
    expect(t.sim.calls.count({ route: 'cloudPhone.showJob' })).toBe(1);
  });

  it('a demo request id covering several jobs returns them all', async () => {
    const res = await t.gql(`{ cloudPhoneJobs(requestIds: ["${DEMO.cloudPhone.requestIds.batch}"]) { jobId requestId } }`);
    expect((res.data!['cloudPhoneJobs'] as any[]).map((j) => j.jobId).sort()).toEqual([...DEMO.cloudPhone.batch].sort());
    expect((res.data!['cloudPhoneJobs'] as any[]).every((j) => j.requestId === DEMO.cloudPhone.requestIds.batch)).toBe(true);
  });
});

describe('sub-job listings', () => {
  it('workspaceSubJobs lists a job’s sub-jobs with desktops', async () => {
    const res = await t.gql(`{ workspaceSubJobs(jobId: "${DEMO.workspace.completeWithFailedSubJob}") {
      totalCount items { id parentJobId state rawStatus entities { __typename ... on Desktop { id } } } } }`);
    expect(res.errors).toBeUndefined();
    const page = res.data!['workspaceSubJobs'];
    expect(page.totalCount).toBe(page.items.length);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((s: any) => s.parentJobId === DEMO.workspace.completeWithFailedSubJob)).toBe(true);
    expect(page.items.map((s: any) => s.state)).toContain('FAILED');
    expect(t.sim.calls.list({ route: 'workspace.listSubJobs' })[0]!.query).toMatchObject({ job_id: DEMO.workspace.completeWithFailedSubJob, limit: '100', offset: '0' });
  });

  it('appStreamingSubJobs reads both item shapes and every sub-job status', async () => {
    const res = await t.gql(`{
      flat: appStreamingSubJobs(jobType: "CREATE_SERVER", jobId: "${DEMO.appStreaming.failed}", limit: 100) {
        totalCount items { id state rawStatus terminal error { code message } entities { ... on AppServer { id name } } } }
      nested: appStreamingSubJobs(jobType: "DELETE_SERVER", jobId: "${DEMO.appStreaming.nestedShape}") {
        items { state error { code message } } }
      rolling: appStreamingSubJobs(jobType: "REINSTALL_OS", jobId: "${DEMO.appStreaming.running}", limit: 100) {
        items { id state terminal } }
    }`);
    expect(res.errors).toBeUndefined();
    const flat = res.data!['flat'];
    expect(flat.items.map((s: any) => s.rawStatus).sort()).toEqual(['ABNORMAL', 'FAILED', 'SUCCESS']);
    expect(flat.items.find((s: any) => s.rawStatus === 'ABNORMAL')).toMatchObject({ state: 'FAILED', terminal: true });
    expect(flat.items.find((s: any) => s.rawStatus === 'FAILED').error.code).toEqual(expect.any(String));
    expect(flat.items.every((s: any) => s.entities.length === 1)).toBe(true);
    expect(res.data!['nested'].items.some((s: any) => s.error?.code)).toBe(true);
    const rolling = res.data!['rolling'].items as Array<{ id: string; state: string; terminal: boolean }>;
    expect(rolling.find((s) => s.id === DEMO.appStreaming.subJobs.rollback)).toMatchObject({ state: 'ROLLING_BACK', terminal: false });
    expect(rolling.find((s) => s.id === DEMO.appStreaming.subJobs.aborting)).toMatchObject({ state: 'CANCELLING', terminal: false });
  });

  it('appStreamingSubJobs items carry the same resource as the job detail, in both item shapes', async () => {
    const cases = [
      ['CREATE_SERVER', DEMO.appStreaming.failed],
      ['DELETE_SERVER', DEMO.appStreaming.nestedShape],
    ] as const;
    for (const [jobType, jobId] of cases) {
      const res = await t.gql(`{
        list: appStreamingSubJobs(jobType: "${jobType}", jobId: "${jobId}", limit: 100) { items { id resources { id name } } }
        detail: job(ref: { service: APP_STREAMING, jobId: "${jobId}" }) { subJobs { id resources { id name } } }
      }`);
      expect(res.errors).toBeUndefined();
      const byId = (subs: Array<{ id: string }>) => [...subs].sort((a, b) => a.id.localeCompare(b.id));
      const listed = byId(res.data!['list'].items);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((s: any) => s.resources.length === 1 && s.resources[0].name)).toBe(true);
      expect(listed).toEqual(byId(res.data!['detail'].subJobs));
    }
  });
});
