/**
 * The simulator's job routes over real HTTP: documented body shapes and field types (checked against the
 * reference/openapi definitions by hand), validation errors, unknown ids and the common headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';

const T0 = Date.UTC(2024, 2, 15, 8, 30, 0);
const P = DEMO.projectId;
const WORKSPACE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const GAUSS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0800$/;
const HEX32 = /^[0-9a-f]{32}$/;

let sim: Simulator;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function get(path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${sim.url}${path}`, { headers: { 'X-Auth-Token': DEMO.token }, ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

function expectTypes(value: Record<string, unknown>, types: Record<string, string>): void {
  for (const [key, type] of Object.entries(types)) {
    const actual = value[key] === null ? 'null' : Array.isArray(value[key]) ? 'array' : typeof value[key];
    expect(`${key}:${actual}`).toBe(`${key}:${type}`);
  }
}

function expectError(reply: Reply, status: number, code: RegExp | string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/json');
  expect(reply.headers.get('x-request-id')).toMatch(HEX32);
  expect(typeof reply.body.error_code).toBe('string');
  expect(typeof reply.body.error_msg).toBe('string');
  if (typeof code === 'string') expect(reply.body.error_code).toBe(code);
  else expect(reply.body.error_code).toMatch(code);
}

beforeAll(async () => {
  sim = await createSimulator({ now: () => T0 });
});
afterAll(() => sim.close());

describe('common behavior', () => {
  it('answers every job route with JSON and a 32-hex X-Request-Id', async () => {
    const paths = [
      `/v2/${P}/workspace-jobs/${DEMO.workspace.success}`,
      `/v2/${P}/workspace-sub-jobs`,
      `/v1/${P}/job/${DEMO.appStreaming.success}`,
      `/v2/${P}/job/${DEMO.appStreaming.success}`,
      `/v1/${P}/app-server-sub-jobs?job_type=CREATE_SERVER`,
      `/v1/${P}/app-server-sub-jobs/actions/count`,
      `/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`,
      `/v3/${P}/immediate-jobs`,
      `/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.success}`,
      `/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.batch}`,
    ];
    const ids = new Set<string>();
    for (const path of paths) {
      const reply = await get(path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/json');
      expect(reply.headers.get('x-request-id')).toMatch(HEX32);
      ids.add(reply.headers.get('x-request-id')!);
    }
    expect(ids.size).toBe(paths.length);
  });

  it('answers an unknown path, a trailing slash or another method with 404 APIG.0101 and a request_id', async () => {
    for (const reply of [
      await get(`/v2/${P}/nothing-here`),
      await get(`/v2/${P}/workspace-jobs/${DEMO.workspace.success}/`),
      await get(`/v2/${P}/workspace-jobs/${DEMO.workspace.success}`, { method: 'DELETE' }),
      await get(`/`),
    ]) {
      expectError(reply, 404, 'APIG.0101');
      expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
    }
  });
});

describe('Workspace', () => {
  it('ShowJob renders ShowJobRsp with JobDetailInfo sub-jobs and desktop entities', async () => {
    const { status, body } = await get(`/v2/${P}/workspace-jobs/${DEMO.workspace.completeWithFailedSubJob}`);
    expect(status).toBe(200);
    expectTypes(body, {
      id: 'string',
      job_type: 'string',
      begin_time: 'string',
      end_time: 'string',
      status: 'string',
      job_error_code: 'null',
      fail_reason: 'null',
      sub_jobs_total: 'number',
      sub_jobs: 'array',
    });
    expect(body.id).toBe(DEMO.workspace.completeWithFailedSubJob);
    expect(body.status).toBe('COMPLETE');
    expect(body.begin_time).toMatch(WORKSPACE_TIME);
    expect(body.end_time).toMatch(WORKSPACE_TIME);
    expect(body.sub_jobs_total).toBe(body.sub_jobs.length);
    for (const sub of body.sub_jobs) {
      expectTypes(sub, {
        id: 'string',
        job_id: 'string',
        job_type: 'string',
        status: 'string',
        process: 'number',
        begin_time: 'string',
        end_time: 'string',
        project_id: 'string',
        entities: 'object',
      });
      expect(sub.job_id).toBe(body.id);
      expect(Number.isInteger(sub.process)).toBe(true);
      expectTypes(sub.entities, {
        desktop_id: 'string',
        product_id: 'string',
        user_name: 'string',
        desktop_name: 'string',
        ip_address: 'string',
      });
    }
    const failed = body.sub_jobs.find((s: any) => s.status === 'FAILED');
    expectTypes(failed, { error_code: 'string', fail_reason: 'string' });
  });

  it('ShowJob of a failed parent carries job_error_code and fail_reason', async () => {
    const { body } = await get(`/v2/${P}/workspace-jobs/${DEMO.workspace.failed}`);
    expect(body.status).toBe('FAILED');
    expectTypes(body, { job_error_code: 'string', fail_reason: 'string' });
  });

  it('ShowJob of an unknown id is 404 in the Workspace envelope', async () => {
    expectError(await get(`/v2/${P}/workspace-jobs/00000000-0000-4000-8000-000000000000`), 404, /^WKS\./);
  });

  it('ListItaSubJobs lists sub-jobs with total_count and filters by job_id, status, job_type and desktop pool', async () => {
    const all = await get(`/v2/${P}/workspace-sub-jobs`);
    expect(all.status).toBe(200);
    expectTypes(all.body, { total_count: 'number', jobs: 'array' });
    expect(all.body.jobs).toHaveLength(all.body.total_count);

    const byJob = await get(`/v2/${P}/workspace-sub-jobs?job_id=${DEMO.workspace.completeAllSucceeded}`);
    expect(byJob.body.total_count).toBe(2);
    expect(byJob.body.jobs.every((j: any) => j.job_id === DEMO.workspace.completeAllSucceeded)).toBe(true);

    const failed = await get(`/v2/${P}/workspace-sub-jobs?status=FAILED`);
    expect(failed.body.total_count).toBeGreaterThan(0);
    expect(failed.body.jobs.every((j: any) => j.status === 'FAILED')).toBe(true);

    // DEF's example repeats status; several values mean "any of them".
    const either = await get(`/v2/${P}/workspace-sub-jobs?status=FAILED&status=WAITING`);
    expect(either.body.total_count).toBe(
      failed.body.total_count + (await get(`/v2/${P}/workspace-sub-jobs?status=WAITING`)).body.total_count,
    );

    const rebuild = await get(`/v2/${P}/workspace-sub-jobs?job_type=rebuildDesktops`);
    expect(rebuild.body.jobs.map((j: any) => j.job_id)).toEqual([DEMO.workspace.success]);

    const pool = await get(`/v2/${P}/workspace-sub-jobs?desktop_pool_id=${DEMO.workspace.desktopPoolId}`);
    expect(pool.body.total_count).toBe(2);
  });

  it('ListItaSubJobs pages with limit (0..1000) and offset (0..10000)', async () => {
    const all = (await get(`/v2/${P}/workspace-sub-jobs`)).body;
    const page = (await get(`/v2/${P}/workspace-sub-jobs?limit=2&offset=1`)).body;
    expect(page.total_count).toBe(all.total_count);
    expect(page.jobs.map((j: any) => j.id)).toEqual(all.jobs.slice(1, 3).map((j: any) => j.id));
    expect((await get(`/v2/${P}/workspace-sub-jobs?limit=0`)).body.jobs).toEqual([]);
    expect((await get(`/v2/${P}/workspace-sub-jobs?limit=1000&offset=10000`)).status).toBe(200);
  });

  it.each(['limit=1001', 'limit=-1', 'limit=ten', 'offset=10001', 'offset=-1', 'status=DONE'])(
    'ListItaSubJobs rejects %s with 400',
    async (query) => {
      expectError(await get(`/v2/${P}/workspace-sub-jobs?${query}`), 400, /^WKS\./);
    },
  );
});

describe('App Streaming', () => {
  it('v1 ShowJob renders {"job": JobDetail} with integer statuses and JobResourceInfo entities', async () => {
    const { status, body } = await get(`/v1/${P}/job/${DEMO.appStreaming.failed}`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['job']);
    const job = body.job;
    expectTypes(job, {
      job_id: 'string',
      job_type: 'number',
      job_status: 'number',
      sub_jobs: 'array',
      begin_time: 'string',
      end_time: 'string',
      expected_end_time: 'string',
      execute_code: 'string',
      execute_message: 'string',
    });
    expect(job).toMatchObject({ job_id: DEMO.appStreaming.failed, job_type: 1, job_status: 0 });
    expect(job.execute_code).not.toBe('');
    for (const key of ['begin_time', 'end_time', 'expected_end_time']) expect(job[key]).toMatch(ISO_SECONDS);
    for (const sub of job.sub_jobs) {
      expectTypes(sub, { job_id: 'string', job_type: 'number', job_status: 'number', entities: 'array', begin_time: 'string' });
      expect(sub.job_type).toBe(2);
      expect([0, 1, 2, 3]).toContain(sub.job_status);
      const [entity] = sub.entities;
      expectTypes(entity, {
        resource_id: 'string',
        resource_name: 'string',
        cloud_service_type: 'string',
        resource_type: 'string',
        resource_spec_code: 'string',
        processed_time: 'string',
        is_main_resource: 'number',
        main_resources: 'array',
      });
      expectTypes(entity.main_resources[0], {
        relative_resource_id: 'string',
        relative_resource_name: 'string',
        relative_type: 'number',
        relative_cloud_service_type: 'string',
        relative_resource_type: 'string',
      });
    }
    // FAILED, ABNORMAL and SUCCESS sub-jobs: 0, 0 and 1 in v1's four integers.
    expect(job.sub_jobs.map((s: any) => s.job_status)).toEqual([0, 0, 1]);
  });

  it('v2 ShowJobDetail renders the same job flat, with string statuses and millisecond times', async () => {
    const v1 = (await get(`/v1/${P}/job/${DEMO.appStreaming.failed}`)).body.job;
    const { status, body } = await get(`/v2/${P}/job/${DEMO.appStreaming.failed}`);
    expect(status).toBe(200);
    expectTypes(body, { id: 'string', job_type: 'string', status: 'string', sub_jobs_total: 'number', begin_time: 'string', sub_jobs: 'array' });
    expect(body).toMatchObject({ id: v1.job_id, status: 'FAILED', job_type: 'CREATE_SERVER', sub_jobs_total: 3 });
    expect(body.begin_time).toMatch(ISO_MILLIS);
    expect(body.sub_jobs.map((s: any) => s.id)).toEqual(v1.sub_jobs.map((s: any) => s.job_id));
    expect(body.sub_jobs.map((s: any) => s.status)).toEqual(['FAILED', 'ABNORMAL', 'SUCCESS']);
    for (const sub of body.sub_jobs) {
      expectTypes(sub, {
        id: 'string',
        job_id: 'string',
        job_type: 'string',
        status: 'string',
        begin_time: 'string',
        end_time: 'string',
        error_code: 'string',
        error_message: 'string',
        project_id: 'string',
        job_resource_info: 'object',
      });
      expect(Object.keys(sub.job_resource_info).sort()).toEqual(['resource_id', 'resource_name']);
      expect(sub.job_id).toBe(body.id);
    }
    expect(body.sub_jobs[0].error_code).toBe('WKS.00129901');
  });

  it('v1 and v2 agree on the parent status of every seeded job', async () => {
    const v1ToV2: Record<number, string> = { 3: 'WAITING', 2: 'RUNNING', 1: 'SUCCESS', 0: 'FAILED' };
    for (const id of [DEMO.appStreaming.waiting, DEMO.appStreaming.running, DEMO.appStreaming.success, DEMO.appStreaming.failed]) {
      const v1 = (await get(`/v1/${P}/job/${id}`)).body.job;
      const v2 = (await get(`/v2/${P}/job/${id}`)).body;
      expect(v1ToV2[v1.job_status]).toBe(v2.status);
    }
  });

  it('unknown job ids are 404 on v1 and v2', async () => {
    expectError(await get(`/v1/${P}/job/999999999999999999`), 404, /^WKS\./);
    expectError(await get(`/v2/${P}/job/999999999999999999`), 404, /^WKS\./);
  });

  it('ListSubJobs returns {count, items} with count as the total and limit defaulting to 10', async () => {
    const { status, body } = await get(`/v1/${P}/app-server-sub-jobs?job_type=CREATE_SERVER`);
    expect(status).toBe(200);
    expectTypes(body, { count: 'number', items: 'array' });
    expect(body.items).toHaveLength(10);
    expect(body.count).toBeGreaterThan(10);
    for (const item of body.items) {
      expect(item.job_type).toBe('CREATE_SERVER');
      expect(item.begin_time).toMatch(ISO_MILLIS);
      expectTypes(item, { id: 'string', job_id: 'string', status: 'string', error_code: 'string', error_message: 'string', project_id: 'string' });
    }
    const rest = (await get(`/v1/${P}/app-server-sub-jobs?job_type=CREATE_SERVER&offset=10&limit=100`)).body;
    expect(rest.count).toBe(body.count);
    expect(rest.items).toHaveLength(body.count - 10);
  });

  it('ListSubJobs filters by status and job_id, and an empty job_type matches every type', async () => {
    const rollback = (await get(`/v1/${P}/app-server-sub-jobs?job_type=&status=ROLLBACK`)).body;
    expect(rollback.items.map((i: any) => i.id)).toEqual([DEMO.appStreaming.subJobs.rollback]);
    const byJob = (await get(`/v1/${P}/app-server-sub-jobs?job_type=&job_id=${DEMO.appStreaming.running}`)).body;
    expect(byJob.count).toBe(4);
    expect(byJob.items.map((i: any) => i.status)).toEqual(['RUNNING', 'ROLLBACK', 'ABORTING', 'WAITING']);
  });

  it('ListSubJobs renders the nested job_execute_info shape for a job that asks for it', async () => {
    const { body } = await get(`/v1/${P}/app-server-sub-jobs?job_type=DELETE_SERVER&job_id=${DEMO.appStreaming.nestedShape}`);
    expect(body.count).toBe(2);
    for (const item of body.items) {
      expect(item).not.toHaveProperty('error_code');
      expectTypes(item.job_execute_info, { error_code: 'string', error_message: 'string' });
    }
    expect(body.items[1].job_execute_info.error_code).toBe('WKS.00129901');
  });

  it.each([
    ['a missing job_type', ''],
    ['an unknown job_type', 'job_type=CREATE_SERVER_IMAGE'],
    ['a bad status', 'job_type=CREATE_SERVER&status=DONE'],
    ['limit 0', 'job_type=CREATE_SERVER&limit=0'],
    ['limit 101', 'job_type=CREATE_SERVER&limit=101'],
    ['a negative offset', 'job_type=CREATE_SERVER&offset=-1'],
  ])('ListSubJobs rejects %s with 400 WKS.00211102', async (_name, query) => {
    expectError(await get(`/v1/${P}/app-server-sub-jobs?${query}`), 400, 'WKS.00211102');
  });

  it('CountSubJobs counts matches, with comma-separated job types', async () => {
    const count = async (query: string) => (await get(`/v1/${P}/app-server-sub-jobs/actions/count?${query}`)).body;
    const create = await count('job_type=CREATE_SERVER');
    const reinstall = await count('job_type=REINSTALL_OS');
    expect(Object.keys(create)).toEqual(['count']);
    expect((await count('job_type=CREATE_SERVER,REINSTALL_OS')).count).toBe(create.count + reinstall.count);
    expect((await count('job_type=CREATE_SERVER_IMAGE')).count).toBe(0);
    expect((await count('status=ABORTING')).count).toBe(1);
    expect(create.count).toBe((await get(`/v1/${P}/app-server-sub-jobs?job_type=CREATE_SERVER`)).body.count);
    expectError(await get(`/v1/${P}/app-server-sub-jobs/actions/count?job_type=NOT_A_TYPE`), 400, 'WKS.00211102');
  });
});

describe('GaussDB(for MySQL)', () => {
  it('ShowGaussMySqlJobInfo renders the job with instance, entities and +0800 times', async () => {
    const { status, body } = await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`);
    expect(status).toBe(200);
    const job = body.job;
    expectTypes(job, {
      id: 'string',
      name: 'string',
      status: 'string',
      created: 'string',
      ended: 'string',
      process: 'string',
      instance: 'object',
      entities: 'object',
    });
    expect(job).toMatchObject({ id: DEMO.gaussdb.completed, name: 'CreateGaussDBforMySQLInstance', status: 'Completed', process: '' });
    expect(job.created).toMatch(GAUSS_TIME);
    expect(job.ended).toMatch(GAUSS_TIME);
    expect(job.instance).toEqual({ id: DEMO.gaussdb.instances.billing, name: 'gauss-demo-billing' });
    expect(job.instance.id).toMatch(/^[0-9a-f]{32}in07$/);
    expect(job.entities.instance).toEqual({
      endpoint: '192.168.1.203:3306',
      type: 'Cluster',
      datastore: { type: 'gaussdb-mysql', version: '8.0' },
    });
    expect(job.entities.resource_ids).toEqual([`${job.instance.id}.vm`, `${job.instance.id}.volume`]);
  });

  it('reports "NN%" while Running, "" otherwise, and fail_reason when Failed', async () => {
    expect((await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.running}`)).body.job).toMatchObject({ status: 'Running', process: '60%' });
    const pending = (await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.pending}`)).body.job;
    expect(pending).toMatchObject({ status: 'Pending', process: '' });
    expect(pending).not.toHaveProperty('ended');
    const failed = (await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.failed}`)).body.job;
    expect(failed.status).toBe('Failed');
    expect(typeof failed.fail_reason).toBe('string');
  });

  it('a missing id is 400 DBS.200001; an unknown one is 404 with a DBS code', async () => {
    expectError(await get(`/v3/${P}/jobs`), 400, 'DBS.200001');
    expectError(await get(`/v3/${P}/jobs?id=`), 400, 'DBS.200001');
    const unknown = await get(`/v3/${P}/jobs?id=00000000-0000-4000-8000-000000000000`);
    expectError(unknown, 404, /^DBS\./);
    expect(Object.keys(unknown.body).sort()).toEqual(['error_code', 'error_msg']);
  });

  it('ListImmediateJobs returns {total_count, jobs, action_names} of TaskDetailInfo items', async () => {
    const { status, body } = await get(`/v3/${P}/immediate-jobs`);
    expect(status).toBe(200);
    expectTypes(body, { total_count: 'number', jobs: 'array', action_names: 'array' });
    expect(body.total_count).toBe(5);
    expect(body.jobs).toHaveLength(5);
    for (const item of body.jobs) {
      expectTypes(item, {
        job_id: 'string',
        job_name: 'string',
        status: 'string',
        instance_id: 'string',
        instance_name: 'string',
        instance_status: 'string',
        created_time: 'string',
        ended_time: 'string',
        process: 'string',
        fail_reason: 'string',
        order_id: 'string',
        show_detail: 'boolean',
      });
      expect(item.created_time).toMatch(GAUSS_TIME);
    }
    expect(body.action_names).toContain('CreateGaussDBforMySQLInstance');
  });

  it('ListImmediateJobs filters by status, job_id and job_name and pages by 10, 20 or 50', async () => {
    const running = (await get(`/v3/${P}/immediate-jobs?status=Running`)).body;
    expect(running.jobs.map((j: any) => [j.job_id, j.process])).toEqual([[DEMO.gaussdb.running, '60%']]);
    expect((await get(`/v3/${P}/immediate-jobs?job_id=${DEMO.gaussdb.failed}`)).body.total_count).toBe(1);
    expect((await get(`/v3/${P}/immediate-jobs?job_name=CreateGaussDBforMySQLInstance`)).body.total_count).toBe(2);
    expect((await get(`/v3/${P}/immediate-jobs?limit=20&offset=4`)).body.jobs).toHaveLength(1);
    for (const query of ['limit=15', 'limit=0', 'status=Done', 'offset=-1', 'start_time=yesterday']) {
      expectError(await get(`/v3/${P}/immediate-jobs?${query}`), 400, 'DBS.200001');
    }
  });
});

describe('Cloud Phone', () => {
  it('ShowJob renders the documented fields with explicit nulls', async () => {
    const { status, body } = await get(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.success}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      request_id: DEMO.cloudPhone.requestIds.success,
      job_id: DEMO.cloudPhone.success,
      status: 2,
      error_code: null,
      error_msg: null,
    });
    expect(body.phone_id).toMatch(HEX32);
    expect(body).not.toHaveProperty('server_id');
    expect(typeof body.execute_msg).toBe('string');
    expect(body.begin_time).toMatch(ISO_SECONDS);
    expect(body.end_time).toMatch(ISO_SECONDS);

    const running = (await get(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.running}`)).body;
    expect(running).toMatchObject({ status: 1, end_time: null, error_code: null, error_msg: null, execute_msg: null });
    const failed = (await get(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.failed}`)).body;
    expect(failed).toMatchObject({ status: -1, error_code: 'CPS0005', error_msg: 'Phone not found.' });
    const server = (await get(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.serverJob}`)).body;
    expect(server.server_id).toMatch(HEX32);
    expect(server).not.toHaveProperty('phone_id');
  });

  it('ShowJob of an unknown id is 404 in the CPH envelope, with request_id', async () => {
    const reply = await get(`/v1/${P}/cloud-phone/jobs/ffffffffffffffffffffffffffffffff`);
    expectError(reply, 404, /^CPS\./);
    expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
  });

  it('ListJobs by request_id returns {request_id, jobs} whose items carry no request_id', async () => {
    const { status, body } = await get(`/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.batch}`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['jobs', 'request_id']);
    expect(body.request_id).toBe(DEMO.cloudPhone.requestIds.batch);
    expect(body.jobs.map((j: any) => j.job_id).sort()).toEqual([...DEMO.cloudPhone.batch].sort());
    for (const item of body.jobs) {
      expect(item).not.toHaveProperty('request_id');
      expectTypes(item, {
        phone_id: 'string',
        server_id: 'string',
        node_id: 'string',
        job_id: 'string',
        begin_time: 'string',
        end_time: 'string',
        status: 'number',
        error_code: 'string',
        error_msg: 'string',
      });
    }
    expect(body.jobs.map((j: any) => j.status).sort()).toEqual([-1, 2, 2]);
  });

  it('ListJobs with request_ids returns the jobs of every id; request_ids wins over request_id', async () => {
    const { batch, success } = DEMO.cloudPhone.requestIds;
    const both = (await get(`/v1/${P}/cloud-phone/jobs?request_ids=${batch},${success}`)).body;
    expect(both.jobs.map((j: any) => j.job_id).sort()).toEqual([...DEMO.cloudPhone.batch, DEMO.cloudPhone.success].sort());
    const wins = (await get(`/v1/${P}/cloud-phone/jobs?request_id=${batch}&request_ids=${success}`)).body;
    expect(wins.jobs.map((j: any) => j.job_id)).toEqual([DEMO.cloudPhone.success]);
    const unknown = (await get(`/v1/${P}/cloud-phone/jobs?request_id=ffffffffffffffffffffffffffffffff`)).body;
    expect(unknown.jobs).toEqual([]);
  });

  it('ListJobs takes at most 20 request ids, needs one, and pages with offset/limit', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, '0')).join(',');
    expect((await get(`/v1/${P}/cloud-phone/jobs?request_ids=${ids(20)}`)).status).toBe(200);
    const tooMany = await get(`/v1/${P}/cloud-phone/jobs?request_ids=${ids(21)}`);
    expectError(tooMany, 400, /^CPS\./);
    expect(tooMany.body.request_id).toBe(tooMany.headers.get('x-request-id'));
    expectError(await get(`/v1/${P}/cloud-phone/jobs`), 400, /^CPS\./);
    expectError(await get(`/v1/${P}/cloud-phone/jobs?request_ids=`), 400, /^CPS\./);
    const page = (await get(`/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.advancing}&offset=5&limit=10`)).body;
    expect(page.jobs).toHaveLength(10);
    expectError(await get(`/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.batch}&limit=0`), 400, /^CPS\./);
  });

  it('ListJobs refuses a request id that is not 32 characters with a CPH 400 whose request_id is well formed', async () => {
    const { batch, success } = DEMO.cloudPhone.requestIds;
    const malformed = [
      'request_id=abc',
      `request_id=${batch}0`,
      'request_ids=abc',
      `request_ids=${batch},abc`,
      `request_ids=${batch},,${success}`,
      `request_ids=${batch},`,
      `request_ids=${encodeURIComponent(` ${batch}`)}`,
      `request_id=abc&request_ids=${batch}`, // request_ids wins, but request_id is still checked
    ];
    for (const query of malformed) {
      const reply = await get(`/v1/${P}/cloud-phone/jobs?${query}`);
      expectError(reply, 400, 'CPS.0002');
      expect(Object.keys(reply.body).sort()).toEqual(['error_code', 'error_msg', 'request_id']);
      expect(reply.body.request_id).toMatch(HEX32);
      expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
    }
    for (const query of [`request_id=${batch}`, `request_ids=${success},${batch}`, `request_id=${'z'.repeat(32)}`]) {
      const { status, body } = await get(`/v1/${P}/cloud-phone/jobs?${query}`);
      expect(status).toBe(200);
      expect(body.request_id).toHaveLength(32);
    }
  });
});
