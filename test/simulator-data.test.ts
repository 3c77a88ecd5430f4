/**
 * The simulator's data: the seeded demo set (every raw status of docs/upstream.md#statuses, every DEMO id resolving), the
 * clock-driven lifecycles of the advancing jobs, and the store hooks tests use to set up and change jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADVANCING_DURATION_MS,
  createSimulator,
  DEMO,
  UnknownJobError,
  type Simulator,
} from '../src/simulator/index.js';

const T0 = Date.UTC(2024, 2, 15, 8, 30, 0);
const P = DEMO.projectId;
const SECOND = 1000;

let sim: Simulator | undefined;
let clock = T0;

async function start(options: { seed?: boolean } = {}): Promise<Simulator> {
  clock = T0;
  sim = await createSimulator({ now: () => clock, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim!.url}${path}`, { headers: { 'X-Auth-Token': DEMO.token } });
  return { status: res.status, body: await res.json() };
}

async function body(path: string): Promise<any> {
  const reply = await get(path);
  expect(reply.status, path).toBe(200);
  return reply.body;
}

describe('seeded demo data', () => {
  it('has a Workspace job in every parent and sub-job status, COMPLETE both ways', async () => {
    const s = await start();
    const jobs = s.store.list('workspace', P);
    expect(new Set(jobs.map((j) => j.status))).toEqual(new Set(['WAITING', 'RUNNING', 'SUCCESS', 'COMPLETE', 'FAIL', 'FAILED']));
    expect(new Set(jobs.flatMap((j) => j.subJobs.map((s) => s.status)))).toEqual(new Set(['WAITING', 'RUNNING', 'SUCCESS', 'FAILED']));
    const all = await body(`/v2/${P}/workspace-jobs/${DEMO.workspace.completeAllSucceeded}`);
    expect(all.status).toBe('COMPLETE');
    expect(all.sub_jobs.map((x: any) => x.status)).toEqual(['SUCCESS', 'SUCCESS']);
    const partial = await body(`/v2/${P}/workspace-jobs/${DEMO.workspace.completeWithFailedSubJob}`);
    expect(partial.status).toBe('COMPLETE');
    expect(partial.sub_jobs.map((x: any) => x.status)).toEqual(['SUCCESS', 'FAILED']);
    for (const [name, status] of Object.entries(DEMO.workspace.subJobs)) {
      const list = await body(`/v2/${P}/workspace-sub-jobs?status=${name.toUpperCase()}`);
      expect(list.jobs.map((j: any) => j.id)).toContain(status);
    }
  });

  it('has App Streaming jobs in v1 statuses 3, 2, 1, 0 and sub-jobs in all 7 statuses', async () => {
    await start();
    const a = DEMO.appStreaming;
    const statuses = await Promise.all(
      [a.waiting, a.running, a.success, a.failed].map(async (id) => (await body(`/v1/${P}/job/${id}`)).job.job_status),
    );
    expect(statuses).toEqual([3, 2, 1, 0]);
    const seen = new Map<string, string>();
    for (const [name, id] of Object.entries(a.subJobs)) {
      const list = await body(`/v1/${P}/app-server-sub-jobs?job_type=&status=${name.toUpperCase()}&limit=100`);
      expect(list.items.map((i: any) => i.id)).toContain(id);
      seen.set(name.toUpperCase(), id);
    }
    expect([...seen.keys()].sort()).toEqual(['ABNORMAL', 'ABORTING', 'FAILED', 'ROLLBACK', 'RUNNING', 'SUCCESS', 'WAITING']);
  });

  it('has GaussDB jobs Pending, Running "60%", Completed and Failed with fail_reason', async () => {
    await start();
    const g = DEMO.gaussdb;
    const jobs = await Promise.all([g.pending, g.running, g.completed, g.failed].map(async (id) => (await body(`/v3/${P}/jobs?id=${id}`)).job));
    expect(jobs.map((j) => [j.status, j.process])).toEqual([
      ['Pending', ''],
      ['Running', '60%'],
      ['Completed', ''],
      ['Failed', ''],
    ]);
    expect(jobs[3].fail_reason).toEqual(expect.any(String));
    expect(new Set((await body(`/v3/${P}/immediate-jobs?limit=50`)).jobs.map((j: any) => j.status))).toEqual(
      new Set(['Pending', 'Running', 'Completed', 'Failed']),
    );
  });

  it('has CPH jobs in 1, 2 and -1, and request ids covering one or several jobs', async () => {
    await start();
    const c = DEMO.cloudPhone;
    const statuses = await Promise.all([c.running, c.success, c.failed].map(async (id) => (await body(`/v1/${P}/cloud-phone/jobs/${id}`)).status));
    expect(statuses).toEqual([1, 2, -1]);
    const failed = await body(`/v1/${P}/cloud-phone/jobs/${c.failed}`);
    expect(failed.error_code).toBeTruthy();
    expect(failed.error_msg).toBeTruthy();
    const sizes = await Promise.all(
      Object.values(c.requestIds).map(async (id) => (await body(`/v1/${P}/cloud-phone/jobs?request_id=${id}`)).jobs.length),
    );
    expect(sizes).toEqual([1, 1, 1, 3, 1, 20]);
    // ShowJob reports the request id that finds the job again.
    for (const id of [c.running, c.success, c.serverJob, ...c.batch, c.advancing]) {
      const job = await body(`/v1/${P}/cloud-phone/jobs/${id}`);
      const list = await body(`/v1/${P}/cloud-phone/jobs?request_ids=${job.request_id}`);
      expect(list.jobs.map((j: any) => j.job_id)).toContain(id);
    }
  });

  it('resolves every DEMO id on its route, with ids in the documented formats', async () => {
    await start();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of [DEMO.workspace.waiting, DEMO.workspace.running, DEMO.workspace.success, DEMO.workspace.completeAllSucceeded, DEMO.workspace.completeWithFailedSubJob, DEMO.workspace.fail, DEMO.workspace.failed, DEMO.workspace.advancing]) {
      expect(id).toMatch(uuid);
      expect((await get(`/v2/${P}/workspace-jobs/${id}`)).status).toBe(200);
    }
    for (const id of [DEMO.appStreaming.waiting, DEMO.appStreaming.running, DEMO.appStreaming.success, DEMO.appStreaming.failed, DEMO.appStreaming.nestedShape, DEMO.appStreaming.advancing]) {
      expect(id).toMatch(/^\d{18}$/);
      expect((await get(`/v1/${P}/job/${id}`)).status).toBe(200);
      expect((await get(`/v2/${P}/job/${id}`)).status).toBe(200);
    }
    for (const id of Object.values(DEMO.appStreaming.subJobs)) expect(id).toMatch(/^\d{18}$/);
    for (const id of [DEMO.gaussdb.pending, DEMO.gaussdb.running, DEMO.gaussdb.completed, DEMO.gaussdb.failed, DEMO.gaussdb.advancing]) {
      expect(id).toMatch(uuid);
      expect((await get(`/v3/${P}/jobs?id=${id}`)).status).toBe(200);
    }
    for (const id of Object.values(DEMO.gaussdb.instances)) expect(id).toMatch(/^[0-9a-f]{32}in07$/);
    for (const id of [DEMO.cloudPhone.running, DEMO.cloudPhone.success, DEMO.cloudPhone.failed, DEMO.cloudPhone.serverJob, DEMO.cloudPhone.advancing, ...DEMO.cloudPhone.batch]) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect((await get(`/v1/${P}/cloud-phone/jobs/${id}`)).status).toBe(200);
    }
    for (const id of Object.values(DEMO.cloudPhone.requestIds)) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('starts empty with seed: false', async () => {
    await start({ seed: false });
    expect((await get(`/v2/${P}/workspace-jobs/${DEMO.workspace.success}`)).status).toBe(404);
    expect((await body(`/v3/${P}/immediate-jobs`)).total_count).toBe(0);
  });
});

describe('advancing lifecycles (driven by the injected clock)', () => {
  /** Renders at 0..10 min every `stepMs` and checks that each sample differs from the previous one. */
  async function expectChangeEvery(path: string, stepMs: number, from = 0): Promise<any[]> {
    const seen: any[] = [];
    for (let t = from; t <= ADVANCING_DURATION_MS; t += stepMs) {
      clock = T0 + t;
      seen.push(await body(path));
    }
    for (let i = 1; i < seen.length; i++) expect(JSON.stringify(seen[i]), `sample ${i}`).not.toBe(JSON.stringify(seen[i - 1]));
    return seen;
  }

  it('Workspace: WAITING → RUNNING with process rising every 8 s → SUCCESS at 10 minutes', async () => {
    await start();
    const path = `/v2/${P}/workspace-jobs/${DEMO.workspace.advancing}`;
    expect((await body(path)).status).toBe('WAITING');
    const samples = await expectChangeEvery(path, 10 * SECOND, 10 * SECOND);
    expect(samples[0].status).toBe('RUNNING');
    const processes = samples.map((s) => s.sub_jobs[1].process);
    expect(processes).toEqual([...processes].sort((a, b) => a - b));
    clock = T0 + ADVANCING_DURATION_MS - 1;
    expect((await body(path)).status).toBe('RUNNING');
    const done = samples.at(-1);
    expect(done.status).toBe('SUCCESS');
    expect(done.end_time).toBe('2024-03-15 08:40:00');
    expect(done.sub_jobs.map((s: any) => [s.status, s.process])).toEqual([
      ['SUCCESS', 100],
      ['SUCCESS', 100],
    ]);
    // The list view agrees.
    clock = T0 + ADVANCING_DURATION_MS;
    const list = await body(`/v2/${P}/workspace-sub-jobs?job_id=${DEMO.workspace.advancing}`);
    expect(list.jobs.map((j: any) => j.status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('App Streaming: v1 3 → 2 → 1 while 24 sub-jobs start and finish, a change at least every 15 s', async () => {
    await start();
    const v1 = `/v1/${P}/job/${DEMO.appStreaming.advancing}`;
    expect((await body(v1)).job.job_status).toBe(3);
    const samples = await expectChangeEvery(v1, 15 * SECOND, 15 * SECOND);
    expect(samples[0].job.job_status).toBe(2);
    expect(samples.at(-1).job.job_status).toBe(1);
    expect(samples.at(-1).job.sub_jobs.every((s: any) => s.job_status === 1)).toBe(true);
    clock = T0 + 5 * 60 * SECOND;
    const v2 = await body(`/v2/${P}/job/${DEMO.appStreaming.advancing}`);
    const counts = v2.sub_jobs.reduce((acc: Record<string, number>, s: any) => ({ ...acc, [s.status]: (acc[s.status] ?? 0) + 1 }), {});
    expect(counts.SUCCESS).toBeGreaterThan(0);
    expect(counts.WAITING).toBeGreaterThan(0);
  });

  it('GaussDB: Pending → Running "10%".."90%" → Completed with process "" at 10 minutes', async () => {
    await start();
    const path = `/v3/${P}/jobs?id=${DEMO.gaussdb.advancing}`;
    expect((await body(path)).job).toMatchObject({ status: 'Pending', process: '' });
    const samples = await expectChangeEvery(path, 10 * SECOND, 10 * SECOND);
    const percents = samples.slice(0, -1).map((s) => Number(s.job.process.replace('%', '')));
    expect(Math.min(...percents)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...percents)).toBeGreaterThanOrEqual(88);
    clock = T0 + ADVANCING_DURATION_MS - 1;
    expect((await body(path)).job).toMatchObject({ status: 'Running', process: '90%' });
    const done = samples.at(-1).job;
    expect(done).toMatchObject({ status: 'Completed', process: '', ended: '2024-03-15T16:40:00+0800' });
    expect(done.entities.instance.endpoint).toEqual(expect.any(String));
  });

  it('CPH: the advancing request finishes a job every 30 s; its last job goes 1 → 2 at 10 minutes', async () => {
    await start();
    const list = `/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.advancing}`;
    const samples = await expectChangeEvery(list, 30 * SECOND);
    const running = samples.map((s) => s.jobs.filter((j: any) => j.status === 1).length);
    expect(running).toEqual(Array.from({ length: 21 }, (_, i) => 20 - i));
    expect(samples.at(-1).jobs.map((j: any) => j.status).sort()).toContain(-1);
    clock = T0 + ADVANCING_DURATION_MS - 1;
    expect((await body(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.advancing}`)).status).toBe(1);
    clock = T0 + ADVANCING_DURATION_MS;
    const done = await body(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.advancing}`);
    expect(done).toMatchObject({ status: 2, end_time: '2024-03-15T08:40:00Z' });
  });
});

describe('store hooks', () => {
  it('store.add puts a job with a given state behind every route of its service', async () => {
    const s = await start({ seed: false });
    s.store.add('workspace', {
      id: 'job-1',
      status: 'RUNNING',
      jobType: 'createDesktops',
      subJobs: [{ id: 'sub-1', status: 'RUNNING', process: 30, entities: { desktopId: 'd-1' } }],
    });
    expect((await body(`/v2/${P}/workspace-jobs/job-1`)).sub_jobs[0]).toMatchObject({ id: 'sub-1', process: 30, entities: { desktop_id: 'd-1' } });
    expect((await body(`/v2/${P}/workspace-sub-jobs?job_id=job-1`)).total_count).toBe(1);

    s.store.add('gaussdb', { id: 'g-1', status: 'Running', process: 42, instance: { id: 'i-1in07', name: 'db' } });
    expect((await body(`/v3/${P}/jobs?id=g-1`)).job).toMatchObject({ status: 'Running', process: '42%' });
    expect((await body(`/v3/${P}/immediate-jobs`)).jobs.map((j: any) => j.job_id)).toEqual(['g-1']);

    s.store.add('cloudPhone', { id: 'c'.repeat(32), requestId: 'r'.repeat(32), status: 1, phoneId: 'p'.repeat(32) });
    expect((await body(`/v1/${P}/cloud-phone/jobs/${'c'.repeat(32)}`)).request_id).toBe('r'.repeat(32));
    expect((await body(`/v1/${P}/cloud-phone/jobs?request_ids=${'r'.repeat(32)}`)).jobs).toHaveLength(1);

    s.store.add('appStreaming', {
      id: '100000000000000001',
      status: 'RUNNING',
      subJobShape: 'nested',
      subJobs: [{ id: '100000000000000002', status: 'ROLLBACK', errorCode: 'WKS.1', resource: { resourceId: 'srv', resourceName: 'APS-1' } }],
    });
    expect((await body(`/v1/${P}/job/100000000000000001`)).job.sub_jobs[0]).toMatchObject({ job_status: 2, execute_code: 'WKS.1' });
    const item = (await body(`/v1/${P}/app-server-sub-jobs?job_type=CREATE_SERVER`)).items[0];
    expect(item).toMatchObject({ status: 'ROLLBACK', job_execute_info: { error_code: 'WKS.1' }, job_resource_info: { resource_id: 'srv' } });
  });

  it('store.update changes what the routes return, stamps end times, and freezes the timeline', async () => {
    const s = await start();
    const path = `/v2/${P}/workspace-jobs/${DEMO.workspace.advancing}`;
    clock = T0 + 60 * SECOND;
    s.store.update('workspace', P, DEMO.workspace.advancing, {
      status: 'FAILED',
      jobErrorCode: 'WKS.0001',
      subJobs: [{ id: '69f2090b-6728-4b68-8ac2-4e92d275f0ff', status: 'FAILED', failReason: 'boom' }],
    });
    const now = await body(path);
    expect(now).toMatchObject({ status: 'FAILED', job_error_code: 'WKS.0001', end_time: '2024-03-15 08:31:00' });
    expect(now.sub_jobs[1]).toMatchObject({ status: 'FAILED', fail_reason: 'boom', end_time: '2024-03-15 08:31:00' });
    expect(now.sub_jobs[0].status).toBe('RUNNING');
    clock = T0 + ADVANCING_DURATION_MS * 2;
    expect((await body(path)).status).toBe('FAILED');
  });

  it('timelines added with a job, or given to store.update, apply relative to the job creation', async () => {
    const s = await start({ seed: false });
    s.store.add('cloudPhone', {
      id: 'a'.repeat(32),
      requestId: 'b'.repeat(32),
      status: 1,
      timeline: [{ afterMs: 5 * SECOND, status: 2 }],
    });
    const show = `/v1/${P}/cloud-phone/jobs/${'a'.repeat(32)}`;
    expect((await body(show)).status).toBe(1);
    clock = T0 + 5 * SECOND;
    expect(await body(show)).toMatchObject({ status: 2, end_time: '2024-03-15T08:30:05Z' });
    s.store.update('cloudPhone', P, 'a'.repeat(32), { status: 1, endTime: null, timeline: [{ afterMs: 20 * SECOND, status: -1, errorCode: 'CPS0005' }] });
    expect((await body(show)).status).toBe(1);
    clock = T0 + 20 * SECOND;
    expect(await body(show)).toMatchObject({ status: -1, error_code: 'CPS0005', error_msg: null });
    expect(s.store.get('cloudPhone', P, 'a'.repeat(32))?.status).toBe(-1);
  });

  it('refuses a Cloud Phone request id that is not 32 characters, so ShowJob and ListJobs always answer a well-formed one', async () => {
    const s = await start({ seed: false });
    const id = 'a'.repeat(32);
    expect(() => s.store.add('cloudPhone', { id, requestId: 'abc', status: 1 })).toThrow(/requestId must be 32 characters/);
    expect(() => s.store.add('cloudPhone', { id, requestId: 'b'.repeat(32), status: 1, timeline: [{ afterMs: SECOND, requestId: 'abc' }] })).toThrow(
      /requestId must be 32 characters/,
    );
    expect(s.store.get('cloudPhone', P, id)).toBeUndefined();
    s.store.add('cloudPhone', { id, requestId: 'b'.repeat(32), status: 1 });
    expect(() => s.store.update('cloudPhone', P, id, { requestId: 'c'.repeat(33) })).toThrow(/requestId must be 32 characters/);
    expect(() => s.store.update('cloudPhone', P, id, { timeline: [{ afterMs: SECOND, requestId: '' }] })).toThrow(/requestId must be 32 characters/);
    clock = T0 + 2 * SECOND;
    expect((await body(`/v1/${P}/cloud-phone/jobs/${id}`)).request_id).toBe('b'.repeat(32));
  });

  it('store.update of an unknown job throws UnknownJobError; projects are separate', async () => {
    const s = await start();
    expect(() => s.store.update('gaussdb', P, 'missing', { status: 'Failed' })).toThrow(UnknownJobError);
    s.store.add('gaussdb', { id: DEMO.gaussdb.completed, projectId: 'another', status: 'Failed' });
    expect(s.store.get('gaussdb', 'another', DEMO.gaussdb.completed)?.status).toBe('Failed');
    expect(s.store.get('gaussdb', P, DEMO.gaussdb.completed)?.status).toBe('Completed');
  });
});
