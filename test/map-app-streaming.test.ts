import { beforeEach, describe, expect, it } from 'vitest';
import type { AppStreamingSubJobModel, JobLocation } from '../src/model/job.js';
import { reportOnce, type UnknownStatusReport } from '../src/model/status.js';
import {
  appStreamingJobState,
  appStreamingSubJobState,
  mapAppStreamingJob,
  mapAppStreamingSubJob,
  mapAppStreamingSubJobCount,
  mapAppStreamingSubJobPage,
  mapAppStreamingV1SubJob,
} from '../src/services/app-streaming/map.js';
import {
  parseAppStreamingJob,
  parseAppStreamingSubJobCount,
  parseAppStreamingSubJobList,
  type ParseResult,
} from '../src/services/app-streaming/raw.js';

const LOC: JobLocation = { region: 'cn-north-4', projectId: '0123456789abcdef0123456789abcdef' };

function must<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a usable body, got: ${result.issues}`);
  return result.value;
}

const job = (body: unknown) => mapAppStreamingJob(must(parseAppStreamingJob(body)), LOC, report);
const page = (body: unknown) => mapAppStreamingSubJobPage(must(parseAppStreamingSubJobList(body)), report);
const item = (fields: object) => page({ count: 1, items: [fields] }).items[0]!;

let reported: Array<[string, string]>;
let report: UnknownStatusReport;
beforeEach(() => {
  reported = [];
  report = reportOnce((service, raw) => reported.push([service, raw]));
});

describe('App Streaming reference examples (docs/upstream.md#app-streaming)', () => {
  it('maps the official v1 ShowJob example exactly', () => {
    const body = JSON.parse(`{"job":{"job_id":"575768277444198400","job_type":1,"job_status":0,
 "sub_jobs":[{"job_id":"575768277481947136","job_type":2,"job_status":0,"entities":[],
   "begin_time":"2023-06-06T02:30:06Z","end_time":"2023-06-06T02:45:49Z"}],
 "begin_time":"2023-06-06T02:30:06Z","end_time":"2023-06-06T02:45:49Z",
 "expected_end_time":"2023-06-06T15:55:57Z","execute_code":"","execute_message":""}}`);
    const model = job(body);
    expect(model).toEqual({
      kind: 'AppStreamingJob',
      service: 'APP_STREAMING',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: '575768277444198400',
      jobType: '1',
      state: 'FAILED',
      rawStatus: '0',
      terminal: true,
      progress: null,
      startedAt: new Date('2023-06-06T02:30:06.000Z'),
      finishedAt: new Date('2023-06-06T02:45:49.000Z'),
      error: null, // failed, but execute_code and execute_message are both empty
      expectedEndTime: new Date('2023-06-06T15:55:57.000Z'),
      executeCode: null,
      executeMessage: null,
      subJobs: [
        {
          kind: 'AppStreamingSubJob',
          id: '575768277481947136',
          parentJobId: '575768277444198400',
          jobType: '2',
          state: 'FAILED',
          rawStatus: '0',
          terminal: true,
          progress: null,
          startedAt: new Date('2023-06-06T02:30:06.000Z'),
          finishedAt: new Date('2023-06-06T02:45:49.000Z'),
          error: null,
          entities: [],
          resources: [],
          projectId: '0123456789abcdef0123456789abcdef',
          expectedEndTime: null,
        },
      ],
      entities: [],
    });
    expect(model.expectedEndTime?.toISOString()).toBe('2023-06-06T15:55:57.000Z');
  });

  it('maps the official flat ListSubJobs example exactly (count 0 next to one item)', () => {
    const body = JSON.parse(`{"count":0,"items":[{"id":"1","job_type":"CREATE_SERVER",
 "job_resource_info":{"resource_id":"a1a1245-xxxx123d-1425af14","resource_name":"APS-20220902093902-AYOASWQDEJ"},
 "begin_time":"2022-03-07T10:40:43.858Z","end_time":"2022-03-07T10:40:43.858Z","status":"WAITING",
 "error_code":"WKS.00129901","error_message":"The service is now unavailable to process the request.",
 "project_id":"325f2346-xxxx123d-1425af14","job_id":"1"}]}`);
    const result = page(body);
    expect(result).toEqual({
      totalCount: 1,
      items: [
        {
          kind: 'AppStreamingSubJob',
          id: '1',
          parentJobId: '1',
          jobType: 'CREATE_SERVER',
          state: 'PENDING',
          rawStatus: 'WAITING',
          terminal: false,
          progress: null,
          startedAt: new Date('2022-03-07T10:40:43.858Z'),
          finishedAt: new Date('2022-03-07T10:40:43.858Z'),
          error: { code: 'WKS.00129901', message: 'The service is now unavailable to process the request.' },
          entities: [{ kind: 'AppServer', id: 'a1a1245-xxxx123d-1425af14', name: 'APS-20220902093902-AYOASWQDEJ' }],
          resources: [
            { id: 'a1a1245-xxxx123d-1425af14', name: 'APS-20220902093902-AYOASWQDEJ', cloudServiceType: null, resourceType: null, isMain: null, related: [] },
          ],
          projectId: '325f2346-xxxx123d-1425af14',
          expectedEndTime: null,
        },
      ],
    });
    expect(result.items[0]?.startedAt?.toISOString()).toBe('2022-03-07T10:40:43.858Z');
  });

  it('maps the v2 example sub-job (flat item, empty error strings) as a successful item', () => {
    const sub = JSON.parse(`{"id":"575768277481947136","job_id":"575768277444198400","job_type":"CREATE_SERVER","status":"SUCCESS",
   "begin_time":"2023-06-06T02:30:06.902Z","end_time":"2023-06-06T02:45:49.564Z","error_code":"","error_message":"",
   "project_id":"a4da8115c9d8464ead3a38309130523f",
   "job_resource_info":{"resource_id":"a2a6f5af-cbf7-4242-8988-109426870886","resource_name":"APS-20230606023006-YM08IXT04C"}}`);
    expect(item(sub)).toEqual({
      kind: 'AppStreamingSubJob',
      id: '575768277481947136',
      parentJobId: '575768277444198400',
      jobType: 'CREATE_SERVER',
      state: 'SUCCEEDED',
      rawStatus: 'SUCCESS',
      terminal: true,
      progress: 100,
      startedAt: new Date('2023-06-06T02:30:06.902Z'),
      finishedAt: new Date('2023-06-06T02:45:49.564Z'),
      error: null,
      entities: [{ kind: 'AppServer', id: 'a2a6f5af-cbf7-4242-8988-109426870886', name: 'APS-20230606023006-YM08IXT04C' }],
      resources: [
        { id: 'a2a6f5af-cbf7-4242-8988-109426870886', name: 'APS-20230606023006-YM08IXT04C', cloudServiceType: null, resourceType: null, isMain: null, related: [] },
      ],
      projectId: 'a4da8115c9d8464ead3a38309130523f',
      expectedEndTime: null,
    });
  });

  it('maps the DEF ListSubJobs example and the CountSubJobs example', () => {
    const def = {
      count: 0,
      items: [
        {
          begin_time: '2022-03-07T10:40:43.858Z',
          end_time: '2022-03-07T10:40:43.858Z',
          error_code: 'WKS.00129901',
          error_message: 'The service is now unavailable to process the request.',
          id: '1',
          job_id: '1',
          job_resource_info: { resource_id: 'a1a1245-xxxx123d-1425af14', resource_name: 'APS-20220902093902-AYOASWQDEJ' },
          job_type: 'CREATE_SERVER',
          project_id: '325f2346-xxxx123d-1425af14',
          status: 'WAITING',
        },
      ],
    };
    expect(page(def).items[0]?.error).toEqual({
      code: 'WKS.00129901',
      message: 'The service is now unavailable to process the request.',
    });
    expect(mapAppStreamingSubJobCount(must(parseAppStreamingSubJobCount({ count: 0 })))).toBe(0);
    expect(mapAppStreamingSubJobCount(must(parseAppStreamingSubJobCount({ count: 42 })))).toBe(42);
  });
});

describe('appStreamingJobState (v1 integers, docs/upstream.md#statuses)', () => {
  it.each([
    [3, 'PENDING', false],
    [2, 'RUNNING', false],
    [1, 'SUCCEEDED', true],
    [0, 'FAILED', true],
  ] as const)('%i → %s (terminal %s)', (status, state, terminal) => {
    expect(appStreamingJobState(status, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each([4, -1, 99])('%i is UNKNOWN, not terminal, and reported once', (status) => {
    expect(appStreamingJobState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(appStreamingJobState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['APP_STREAMING', String(status)]]);
  });
});

describe('appStreamingSubJobState (JobDetailStatus, docs/upstream.md#statuses)', () => {
  it.each([
    ['WAITING', 'PENDING', false],
    ['RUNNING', 'RUNNING', false],
    ['SUCCESS', 'SUCCEEDED', true],
    ['FAILED', 'FAILED', true],
    ['ABNORMAL', 'FAILED', true],
    ['ROLLBACK', 'ROLLING_BACK', false],
    ['ABORTING', 'CANCELLING', false],
    ['success', 'SUCCEEDED', true],
    ['Rollback', 'ROLLING_BACK', false],
    [' aborting ', 'CANCELLING', false],
  ] as const)('%j → %s (terminal %s)', (status, state, terminal) => {
    expect(appStreamingSubJobState(status, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each(['CANCELLED', 'FAIL', '', '3'])('%j is UNKNOWN, not terminal, and reported', (status) => {
    expect(appStreamingSubJobState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['APP_STREAMING', status]]);
  });
});

describe('mapAppStreamingJob', () => {
  const detail = { job_id: '575768277444198400', job_type: 1, begin_time: '2023-06-06T02:30:06Z' };

  it('reports execute_code/execute_message as an error only when the job failed', () => {
    const success = job({ job: { ...detail, job_status: 1, execute_code: '0', execute_message: 'success' } });
    expect(success).toMatchObject({
      state: 'SUCCEEDED',
      terminal: true,
      progress: 100,
      error: null,
      executeCode: '0',
      executeMessage: 'success',
    });
    const running = job({ job: { ...detail, job_status: 2, execute_code: 'WKS.1', execute_message: 'still going' } });
    expect(running).toMatchObject({ state: 'RUNNING', progress: null, error: null, executeCode: 'WKS.1' });
    const failed = job({ job: { ...detail, job_status: 0, execute_code: 'WKS.00129901', execute_message: 'unavailable' } });
    expect(failed).toMatchObject({ state: 'FAILED', error: { code: 'WKS.00129901', message: 'unavailable' } });
    const failedNoCode = job({ job: { ...detail, job_status: 0, execute_code: null, execute_message: 'order failed' } });
    expect(failedNoCode.error).toEqual({ code: null, message: 'order failed' });
    expect(job({ job: { ...detail, job_status: 3 } })).toMatchObject({ state: 'PENDING', terminal: false, progress: null });
  });

  it('maps sub-jobs with their own status and error, parented to the job', () => {
    const model = job({
      job: {
        ...detail,
        job_status: 0,
        sub_jobs: [
          { job_id: 'a', job_type: 2, job_status: 1, execute_code: '0', execute_message: 'ok', expected_end_time: '2023-06-06T03:00:00.5Z' },
          { job_id: 'b', job_type: 2, job_status: 0, execute_code: 'CBC.1', execute_message: 'refunded' },
          { job_id: 'c', job_status: 2 },
        ],
      },
    });
    expect(model.subJobs.map((s) => [s.id, s.parentJobId, s.jobType, s.state, s.rawStatus, s.progress, s.error])).toEqual([
      ['a', '575768277444198400', '2', 'SUCCEEDED', '1', 100, null],
      ['b', '575768277444198400', '2', 'FAILED', '0', null, { code: 'CBC.1', message: 'refunded' }],
      ['c', '575768277444198400', null, 'RUNNING', '2', null, null],
    ]);
    expect(model.subJobs[0]?.expectedEndTime?.toISOString()).toBe('2023-06-06T03:00:00.500Z');
    // the failed parent has no execute_code/execute_message of its own: it borrows the failed sub-job's
    expect(model.error).toEqual({ code: 'CBC.1', message: 'refunded' });
  });

  it("keeps a failed job's own error over its sub-jobs', and borrows none when it did not fail", () => {
    const sub_jobs = [{ job_id: 'b', job_status: 0, execute_code: 'CBC.1', execute_message: 'refunded' }];
    expect(job({ job: { ...detail, job_status: 0, execute_message: 'order failed', sub_jobs } }).error).toEqual({
      code: null,
      message: 'order failed',
    });
    expect(job({ job: { ...detail, job_status: 2, sub_jobs } }).error).toBeNull();
    expect(job({ job: { ...detail, job_status: 1, sub_jobs } }).error).toBeNull();
  });

  it('turns JobResourceInfo into resources and app servers, skipping empty ids, without duplicates', () => {
    const model = job({
      job: {
        ...detail,
        job_status: 2,
        sub_jobs: [
          {
            job_id: 'sub-1',
            job_type: 2,
            job_status: 2,
            entities: [
              {
                resource_id: 'server-1',
                resource_name: 'APS-1',
                cloud_service_type: 'hws.service.type.vdi',
                resource_type: 'hws.resource.type.workspace.appstream',
                resource_spec_code: 'workspace.appstream.general.xlarge.4',
                spec_type: { shareable: false },
                spec_size: 0,
                measure: 17,
                is_main_resource: 1,
                main_resources: [],
                extend_params: '{"expireTime":"2023-07-06T02:30:06Z"}',
              },
              {
                resource_id: 'volume-1',
                resource_name: '',
                cloud_service_type: 'hws.service.type.vdi',
                resource_type: 'hws.resource.type.workspace.volume',
                is_main_resource: 0,
                main_resources: [
                  {
                    relative_resource_id: 'server-1',
                    relative_resource_name: 'APS-1',
                    relative_type: 1,
                    relative_cloud_service_type: 'hws.service.type.ec2',
                    relative_resource_type: 'hws.resource.type.vm',
                  },
                  { relative_resource_id: '', relative_resource_name: '' },
                  { relative_resource_id: 'server-1', relative_resource_name: 'duplicate' },
                ],
              },
              { resource_id: '', resource_name: 'nameless', is_main_resource: 1 },
              { resource_id: 'server-2', resource_name: 'APS-2' }, // no flag: treated as main
              { resource_id: 'server-1', resource_name: 'APS-1 again', is_main_resource: 1 },
            ],
          },
          {
            job_id: 'sub-2',
            job_status: 2,
            entities: [{ resource_id: 'server-2', resource_name: 'APS-2 (second sub-job)', is_main_resource: 1 }],
          },
        ],
      },
    });
    const [first, second] = model.subJobs;
    expect(first?.resources).toEqual([
      {
        id: 'server-1',
        name: 'APS-1',
        cloudServiceType: 'hws.service.type.vdi',
        resourceType: 'hws.resource.type.workspace.appstream',
        isMain: true,
        related: [],
      },
      {
        id: 'volume-1',
        name: null,
        cloudServiceType: 'hws.service.type.vdi',
        resourceType: 'hws.resource.type.workspace.volume',
        isMain: false,
        related: [
          {
            id: 'server-1',
            name: 'APS-1',
            cloudServiceType: 'hws.service.type.ec2',
            resourceType: 'hws.resource.type.vm',
            isMain: true,
            related: [],
          },
        ],
      },
      { id: 'server-2', name: 'APS-2', cloudServiceType: null, resourceType: null, isMain: null, related: [] },
    ]);
    expect(first?.entities).toEqual([
      { kind: 'AppServer', id: 'server-1', name: 'APS-1' },
      { kind: 'AppServer', id: 'server-2', name: 'APS-2' },
    ]);
    expect(second?.entities).toEqual([{ kind: 'AppServer', id: 'server-2', name: 'APS-2 (second sub-job)' }]);
    expect(model.entities).toEqual([
      { kind: 'AppServer', id: 'server-1', name: 'APS-1' },
      { kind: 'AppServer', id: 'server-2', name: 'APS-2' },
    ]);
  });

  it('tolerates null and missing optional arrays and fields', () => {
    const model = job({
      job: {
        job_id: 'j',
        job_status: 1,
        job_type: null,
        sub_jobs: [{ job_id: 's', job_status: 1, entities: null, begin_time: null, execute_code: null }],
        begin_time: '',
        end_time: null,
        expected_end_time: '',
        execute_code: null,
        execute_message: '',
      },
    });
    expect(model).toMatchObject({
      jobType: null,
      startedAt: null,
      finishedAt: null,
      expectedEndTime: null,
      executeCode: null,
      executeMessage: null,
      entities: [],
    });
    expect(model.subJobs[0]).toMatchObject({ id: 's', entities: [], resources: [], startedAt: null, error: null });
    expect(job({ job: { job_id: 'j', job_status: 2 } }).subJobs).toEqual([]);
    expect(job({ job: { job_id: 'j', job_status: 2, sub_jobs: null } }).subJobs).toEqual([]);
  });

  it('reports an unknown v1 status once and never throws', () => {
    const body = { job: { job_id: 'j', job_status: 7, sub_jobs: [{ job_id: 's', job_status: 7 }] } };
    const model = job(body);
    job(body);
    expect(model).toMatchObject({ state: 'UNKNOWN', rawStatus: '7', terminal: false, progress: null, error: null });
    expect(model.subJobs[0]).toMatchObject({ state: 'UNKNOWN', rawStatus: '7', terminal: false });
    expect(reported).toEqual([['APP_STREAMING', '7']]);
  });

  it('exposes the v1 sub-job mapper for callers holding a SubJobInfo', () => {
    const raw = must(parseAppStreamingJob({ job: { job_id: 'p', job_status: 2, sub_jobs: [{ job_id: 's', job_status: 3 }] } }));
    expect(mapAppStreamingV1SubJob(raw.job.sub_jobs![0]!, 'p', '', report)).toMatchObject({
      id: 's',
      parentJobId: 'p',
      state: 'PENDING',
      projectId: null,
    });
  });
});

describe('mapAppStreamingSubJob (both item shapes, docs/upstream.md#app-streaming / docs/upstream.md#open-questions)', () => {
  const base = { id: '42', job_id: '7', job_type: 'CREATE_SERVER', project_id: 'p' };

  it('reads the nested GO/DEF job_execute_info', () => {
    const model = item({
      ...base,
      status: 'FAILED',
      job_type: 'CREATE_SERVER_IMAGE',
      job_execute_info: { error_code: 'WKS.00211401', error_message: 'The requested operation failed.' },
      job_resource_info: { resource_id: 'img-server', resource_name: 'IMG-1' },
    });
    expect(model).toEqual({
      kind: 'AppStreamingSubJob',
      id: '42',
      parentJobId: '7',
      jobType: 'CREATE_SERVER_IMAGE',
      state: 'FAILED',
      rawStatus: 'FAILED',
      terminal: true,
      progress: null,
      startedAt: null,
      finishedAt: null,
      error: { code: 'WKS.00211401', message: 'The requested operation failed.' },
      entities: [{ kind: 'AppServer', id: 'img-server', name: 'IMG-1' }],
      resources: [{ id: 'img-server', name: 'IMG-1', cloudServiceType: null, resourceType: null, isMain: null, related: [] }],
      projectId: 'p',
      expectedEndTime: null,
    } satisfies AppStreamingSubJobModel);
  });

  it('prefers the flat fields, falls back field by field to the nested ones, and ignores empty strings', () => {
    expect(
      item({ ...base, status: 'FAILED', error_code: 'FLAT', error_message: '', job_execute_info: { error_code: 'NESTED', error_message: 'nested text' } })
        .error,
    ).toEqual({ code: 'FLAT', message: 'nested text' });
    expect(item({ ...base, status: 'FAILED', error_code: '', error_message: '', job_execute_info: { error_code: '', error_message: '' } }).error).toBeNull();
    expect(item({ ...base, status: 'ABNORMAL', job_execute_info: null }).error).toBeNull();
    expect(item({ ...base, status: 'FAILED', job_execute_info: { error_message: 'only text' } }).error).toEqual({
      code: null,
      message: 'only text',
    });
  });

  it('mixes both shapes in one page', () => {
    const result = page({
      count: 2,
      items: [
        { id: 'flat', status: 'ABNORMAL', error_code: 'E1', error_message: 'm1' },
        { id: 'nested', status: 'ROLLBACK', job_execute_info: { error_code: 'E2', error_message: 'm2' } },
      ],
    });
    expect(result.totalCount).toBe(2);
    expect(result.items.map((s) => [s.id, s.state, s.terminal, s.error])).toEqual([
      ['flat', 'FAILED', true, { code: 'E1', message: 'm1' }],
      ['nested', 'ROLLING_BACK', false, { code: 'E2', message: 'm2' }],
    ]);
  });

  it('has no entity without a resource id, and null for absent fields', () => {
    expect(item({ id: 'x', status: 'RUNNING', job_resource_info: { resource_id: '', resource_name: 'n' } })).toEqual({
      kind: 'AppStreamingSubJob',
      id: 'x',
      parentJobId: null,
      jobType: null,
      state: 'RUNNING',
      rawStatus: 'RUNNING',
      terminal: false,
      progress: null,
      startedAt: null,
      finishedAt: null,
      error: null,
      entities: [],
      resources: [],
      projectId: null,
      expectedEndTime: null,
    });
    expect(item({ id: 'x', status: 'SUCCESS', job_resource_info: null })).toMatchObject({ entities: [], resources: [] });
    expect(item({ id: 'x', status: 'SUCCESS', job_resource_info: { resource_id: 'r' } })).toMatchObject({
      entities: [{ kind: 'AppServer', id: 'r', name: null }],
      resources: [{ id: 'r', name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] }],
    });
  });

  it('gives an item the same resource and app server as the v1 detail gives the same sub-job, in both shapes', () => {
    const info = { resource_id: 'srv-1', resource_name: 'APS-1' };
    const detail = job({ job: { job_id: '7', job_status: 2, sub_jobs: [{ job_id: '42', job_status: 2, entities: [info] }] } }).subJobs[0]!;
    expect(detail.resources).toHaveLength(1);
    const flat = item({ ...base, status: 'RUNNING', error_code: '', job_resource_info: info });
    const nested = item({ ...base, status: 'RUNNING', job_execute_info: { error_code: '' }, job_resource_info: info });
    for (const listed of [flat, nested]) {
      expect(listed.resources).toEqual(detail.resources);
      expect(listed.entities).toEqual(detail.entities);
    }
  });

  it('keeps whatever JobResourceInfo fields an item carries beyond id and name', () => {
    const model = item({
      ...base,
      status: 'SUCCESS',
      job_resource_info: {
        resource_id: 'srv-1',
        resource_name: 'APS-1',
        cloud_service_type: 'hws.service.type.vdi',
        resource_type: 'hws.resource.type.vm',
        is_main_resource: 1,
        main_resources: [{ relative_resource_id: 'main-1', relative_resource_name: 'M' }],
      },
    });
    expect(model.resources).toEqual([
      {
        id: 'srv-1',
        name: 'APS-1',
        cloudServiceType: 'hws.service.type.vdi',
        resourceType: 'hws.resource.type.vm',
        isMain: true,
        related: [{ id: 'main-1', name: 'M', cloudServiceType: null, resourceType: null, isMain: true, related: [] }],
      },
    ]);
  });

  it('uses mapAppStreamingSubJob directly on a parsed item', () => {
    const raw = must(parseAppStreamingSubJobList({ items: [{ id: 'a', status: 'ABORTING' }] }));
    expect(mapAppStreamingSubJob(raw.items[0]!, report)).toMatchObject({ id: 'a', state: 'CANCELLING', terminal: false });
  });

  it('counts at least the items on the page', () => {
    expect(page({ items: [] })).toEqual({ totalCount: 0, items: [] });
    expect(page({ count: 500, items: [{ id: 'a', status: 'RUNNING' }] }).totalCount).toBe(500);
    expect(page({ count: null, items: [{ id: 'a', status: 'RUNNING' }] }).totalCount).toBe(1);
  });
});

describe('parse functions', () => {
  it.each([
    ['null', null],
    ['no job', {}],
    ['a null job', { job: null }],
    ['a job without job_id', { job: { job_status: 1 } }],
    ['an empty job_id', { job: { job_id: '', job_status: 1 } }],
    ['a numeric job_id (precision already lost)', { job: { job_id: 575768277444198400, job_status: 1 } }],
    ['no job_status', { job: { job_id: 'j' } }],
    ['a text job_status', { job: { job_id: 'j', job_status: '1' } }],
    ['a fractional job_status', { job: { job_id: 'j', job_status: 1.5 } }],
    ['a sub-job without job_id', { job: { job_id: 'j', job_status: 1, sub_jobs: [{ job_status: 1 }] } }],
    ['a sub-job with a text status', { job: { job_id: 'j', job_status: 1, sub_jobs: [{ job_id: 's', job_status: 'SUCCESS' }] } }],
    ['sub_jobs that is an object', { job: { job_id: 'j', job_status: 1, sub_jobs: {} } }],
  ])('rejects a v1 ShowJob body with %s', (_, body) => {
    expect(parseAppStreamingJob(body).ok).toBe(false);
  });

  it.each([
    ['no items', { count: 1 }],
    ['items that is not an array', { count: 1, items: {} }],
    ['an item without id', { items: [{ status: 'RUNNING' }] }],
    ['an item without status', { items: [{ id: '1' }] }],
    ['an item with a numeric status', { items: [{ id: '1', status: 2 }] }],
  ])('rejects a ListSubJobs body with %s', (_, body) => {
    expect(parseAppStreamingSubJobList(body).ok).toBe(false);
  });

  it.each([{}, { count: '3' }, { count: -1 }, { count: null }, null])('rejects the CountSubJobs body %j', (body) => {
    expect(parseAppStreamingSubJobCount(body).ok).toBe(false);
  });

  it('keeps unknown keys and reads wrong-typed optional fields as absent', () => {
    const raw = must(
      parseAppStreamingJob({
        job: {
          job_id: 'j',
          job_status: 1,
          execute_code: 0,
          sub_jobs: [{ job_id: 's', job_status: 1, entities: 'none', surprise: [1] }],
          future_field: 'x',
        },
      }),
    );
    expect(raw.job['future_field']).toBe('x');
    const model = mapAppStreamingJob(raw, LOC, report);
    expect(model.executeCode).toBeNull();
    expect(model.subJobs[0]?.entities).toEqual([]);
  });
});
