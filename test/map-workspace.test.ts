import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobLocation, WorkspaceSubJobModel } from '../src/model/job.js';
import { reportOnce, type UnknownStatusReport } from '../src/model/status.js';
import {
  mapWorkspaceJob,
  mapWorkspaceSubJob,
  mapWorkspaceSubJobPage,
  workspaceJobState,
  workspaceSubJobState,
} from '../src/services/workspace/map.js';
import { parseWorkspaceJob, parseWorkspaceSubJobList, type ParseResult } from '../src/services/workspace/raw.js';

const LOC: JobLocation = { region: 'cn-north-4', projectId: '0123456789abcdef0123456789abcdef' };
const JOB_ID = '0e2dae94-23ff-449a-bb9c-1b808cf2106d';

function must<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a usable body, got: ${result.issues}`);
  return result.value;
}

const job = (body: unknown) => mapWorkspaceJob(must(parseWorkspaceJob(body)), LOC, report);

let reported: Array<[string, string]>;
let report: UnknownStatusReport;
beforeEach(() => {
  reported = [];
  report = reportOnce((service, raw) => reported.push([service, raw]));
});

describe('Workspace reference examples (docs/upstream.md#workspace)', () => {
  it('maps the plausible ShowJob body exactly', () => {
    const body = JSON.parse(`{"id":"0e2dae94-23ff-449a-bb9c-1b808cf2106d","job_type":"createDesktops","begin_time":"2020-04-10 06:45:14",
 "end_time":"2020-04-10 07:06:10","status":"SUCCESS","job_error_code":null,"fail_reason":null,"sub_jobs_total":1,
 "sub_jobs":[{"id":"e43caef5-e478-4624-9e8c-b0b636331cbc","job_id":"0e2dae94-23ff-449a-bb9c-1b808cf2106d",
   "job_type":"createDesktops","status":"SUCCESS","process":100,"begin_time":"2020-04-10 06:45:14","end_time":"2020-04-10 07:06:10",
   "entities":{"desktop_id":"9d30c8ac-77b5-4453-80da-8f027223ee99","product_id":"workspace.c2.large.windows","user_name":"user-test-01"}}]}`);
    const desktop = {
      kind: 'Desktop',
      id: '9d30c8ac-77b5-4453-80da-8f027223ee99',
      name: null,
      productId: 'workspace.c2.large.windows',
      userName: 'user-test-01',
      ipAddress: null,
    };
    const model = job(body);
    expect(model).toEqual({
      kind: 'WorkspaceJob',
      service: 'WORKSPACE',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: JOB_ID,
      jobType: 'createDesktops',
      state: 'SUCCEEDED',
      rawStatus: 'SUCCESS',
      terminal: true,
      progress: 100,
      startedAt: new Date('2020-04-10T06:45:14.000Z'),
      finishedAt: new Date('2020-04-10T07:06:10.000Z'),
      error: null,
      subJobsTotal: 1,
      subJobs: [
        {
          kind: 'WorkspaceSubJob',
          id: 'e43caef5-e478-4624-9e8c-b0b636331cbc',
          parentJobId: JOB_ID,
          jobType: 'createDesktops',
          state: 'SUCCEEDED',
          rawStatus: 'SUCCESS',
          terminal: true,
          progress: 100,
          startedAt: new Date('2020-04-10T06:45:14.000Z'),
          finishedAt: new Date('2020-04-10T07:06:10.000Z'),
          error: null,
          entities: [desktop],
          resources: [],
          host: null,
          attachUser: null,
        },
      ],
      entities: [desktop],
    });
    // Zone-less Workspace times are UTC.
    expect(model.startedAt?.toISOString()).toBe('2020-04-10T06:45:14.000Z');
    expect(model.finishedAt?.toISOString()).toBe('2020-04-10T07:06:10.000Z');
    expect(reported).toEqual([]);
  });

  it('rejects the official 200 example, which is literally {}', () => {
    const result = parseWorkspaceJob({});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toContain('id:');
      expect(result.issues).toContain('status:');
    }
  });

  it('maps the DEF ListItaSubJobs example exactly', () => {
    const body = {
      jobs: [
        {
          begin_time: '2020-04-10 06:45:14',
          end_time: '2020-04-10 07:06:10',
          entities: {
            desktop_id: '9d30c8ac-77b5-4453-80da-8f027223ee99',
            product_id: 'workspace.c2.large.windows',
            user_name: 'user-test-01',
          },
          id: 'e43caef5-e478-4624-9e8c-b0b636331cbc',
          job_id: '0e2dae94-23ff-449a-bb9c-1b808cf2106d',
          job_type: 'createDesktops',
          status: 'RUNNING',
        },
        {
          begin_time: '2020-04-10 06:45:14',
          end_time: '2020-04-10 07:05:49',
          entities: {
            desktop_id: '14cccba0-12a6-4b66-9fd9-57290328f8da',
            product_id: 'workspace.c2.large.windows',
            user_name: 'user-test-01',
          },
          id: 'cf5043e9-dd94-43be-9c07-6dba5d43c4d2',
          job_id: '0e2dae94-23ff-449a-bb9c-1b808cf2106d',
          job_type: 'createDesktops',
          status: 'RUNNING',
        },
      ],
      total_count: 2,
    };
    const running = (id: string, desktopId: string, end: string): WorkspaceSubJobModel => ({
      kind: 'WorkspaceSubJob',
      id,
      parentJobId: JOB_ID,
      jobType: 'createDesktops',
      state: 'RUNNING',
      rawStatus: 'RUNNING',
      terminal: false,
      progress: null,
      startedAt: new Date('2020-04-10T06:45:14.000Z'),
      finishedAt: new Date(end),
      error: null,
      entities: [
        {
          kind: 'Desktop',
          id: desktopId,
          name: null,
          productId: 'workspace.c2.large.windows',
          userName: 'user-test-01',
          ipAddress: null,
        },
      ],
      resources: [],
      host: null,
      attachUser: null,
    });
    expect(mapWorkspaceSubJobPage(must(parseWorkspaceSubJobList(body)), report)).toEqual({
      totalCount: 2,
      items: [
        running('e43caef5-e478-4624-9e8c-b0b636331cbc', '9d30c8ac-77b5-4453-80da-8f027223ee99', '2020-04-10T07:06:10.000Z'),
        running('cf5043e9-dd94-43be-9c07-6dba5d43c4d2', '14cccba0-12a6-4b66-9fd9-57290328f8da', '2020-04-10T07:05:49.000Z'),
      ],
    });
  });
});

describe('workspaceJobState (parent, docs/upstream.md#statuses)', () => {
  it.each([
    ['WAITING', [], 'PENDING', false],
    ['RUNNING', [], 'RUNNING', false],
    ['SUCCESS', [], 'SUCCEEDED', true],
    ['SUCCESS', ['SUCCESS', 'SUCCESS'], 'SUCCEEDED', true],
    ['SUCCESS', ['SUCCESS', 'FAILED'], 'FAILED', true],
    ['SUCCESS', ['RUNNING'], 'FAILED', true],
    ['COMPLETE', [], 'SUCCEEDED', true],
    ['COMPLETE', ['SUCCESS'], 'SUCCEEDED', true],
    ['COMPLETE', ['SUCCESS', 'FAILED'], 'FAILED', true],
    ['COMPLETE', ['WAITING'], 'FAILED', true],
    ['COMPLETE', ['FAIL'], 'FAILED', true],
    ['FAIL', [], 'FAILED', true],
    ['FAILED', ['SUCCESS'], 'FAILED', true],
    // case and blanks are tolerated, for the parent and for the sub-job statuses it looks at
    ['success', ['Success', ' SUCCESS '], 'SUCCEEDED', true],
    ['Complete', ['success'], 'SUCCEEDED', true],
    [' running ', [], 'RUNNING', false],
    ['failed', [], 'FAILED', true],
  ] as const)('%s with sub-jobs %j → %s (terminal %s)', (status, subs, state, terminal) => {
    expect(workspaceJobState(status, subs, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each(['PROCESSING', '', 'SUCCEEDED', 'CANCELLED'])('%j is UNKNOWN, not terminal, and reported', (status) => {
    expect(workspaceJobState(status, ['SUCCESS'], report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['WORKSPACE', status]]);
  });
});

describe('workspaceSubJobState (docs/upstream.md#statuses)', () => {
  it.each([
    ['WAITING', 'PENDING', false],
    ['RUNNING', 'RUNNING', false],
    ['SUCCESS', 'SUCCEEDED', true],
    ['FAILED', 'FAILED', true],
    ['waiting', 'PENDING', false],
    ['Failed', 'FAILED', true],
  ] as const)('%s → %s (terminal %s)', (status, state, terminal) => {
    expect(workspaceSubJobState(status, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each(['FAIL', 'COMPLETE', 'ABNORMAL'])('the undocumented sub-job status %s is UNKNOWN and reported', (status) => {
    expect(workspaceSubJobState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['WORKSPACE', status]]);
  });
});

describe('mapWorkspaceJob', () => {
  const base = { id: JOB_ID, job_type: 'createDesktops', begin_time: '2020-04-10 06:45:14' };

  it('COMPLETE with a failed sub-job is FAILED, with the first failed sub-job error', () => {
    const model = job({
      ...base,
      status: 'COMPLETE',
      sub_jobs: [
        { id: 's1', status: 'SUCCESS', process: 100 },
        { id: 's2', status: 'FAILED', process: 40, error_code: 'WKS.0001', fail_reason: 'quota exceeded' },
        { id: 's3', status: 'FAILED', error_code: 'WKS.0002', fail_reason: 'second failure' },
      ],
    });
    expect(model.state).toBe('FAILED');
    expect(model.terminal).toBe(true);
    expect(model.error).toEqual({ code: 'WKS.0001', message: 'quota exceeded' });
    expect(model.progress).toBeNull(); // s3 reports no process
    expect(model.subJobsTotal).toBe(3);
    expect(model.subJobs.map((s) => [s.id, s.state, s.progress, s.parentJobId])).toEqual([
      ['s1', 'SUCCEEDED', 100, JOB_ID],
      ['s2', 'FAILED', 40, JOB_ID],
      ['s3', 'FAILED', null, JOB_ID],
    ]);
  });

  it('skips failed sub-jobs that carry no error when borrowing one, and uses an unfinished one as last resort', () => {
    expect(
      job({
        ...base,
        status: 'FAIL',
        sub_jobs: [
          { id: 's1', status: 'FAILED' },
          { id: 's2', status: 'FAILED', fail_reason: 'disk error' },
        ],
      }).error,
    ).toEqual({ code: null, message: 'disk error' });
    expect(
      job({ ...base, status: 'COMPLETE', sub_jobs: [{ id: 's1', status: 'RUNNING', error_code: 'WKS.0009' }] }).error,
    ).toEqual({ code: 'WKS.0009', message: null });
    expect(job({ ...base, status: 'FAILED', sub_jobs: [{ id: 's1', status: 'FAILED' }] }).error).toBeNull();
  });

  it("keeps the parent's own error over any sub-job's, even on success", () => {
    const failed = job({
      ...base,
      status: 'FAILED',
      job_error_code: 'WKS.1000',
      fail_reason: '',
      sub_jobs: [{ id: 's1', status: 'FAILED', error_code: 'WKS.0001', fail_reason: 'x' }],
    });
    expect(failed.error).toEqual({ code: 'WKS.1000', message: null });
    const succeeded = job({ ...base, status: 'SUCCESS', fail_reason: 'partially retried' });
    expect(succeeded.error).toEqual({ code: null, message: 'partially retried' });
  });

  it('progress is the rounded mean of sub-job process only when every sub-job reports one', () => {
    const subs = (...ps: Array<number | null | undefined>) =>
      ps.map((process, i) => ({ id: `s${i}`, status: 'RUNNING', ...(process === undefined ? {} : { process }) }));
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(33, 34) }).progress).toBe(34); // 33.5 → 34
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(10, 20, 20) }).progress).toBe(17); // 16.67 → 17
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(0, 0) }).progress).toBe(0);
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(50, undefined) }).progress).toBeNull();
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(50, null) }).progress).toBeNull();
    expect(job({ ...base, status: 'RUNNING', sub_jobs: [] }).progress).toBeNull();
    expect(job({ ...base, status: 'RUNNING' }).progress).toBeNull();
    // out-of-range values are clamped by parseProgress before averaging
    expect(job({ ...base, status: 'RUNNING', sub_jobs: subs(150, 50) }).progress).toBe(75);
  });

  it('a SUCCEEDED job without any reported progress is 100; a failed one stays null', () => {
    expect(job({ ...base, status: 'SUCCESS' }).progress).toBe(100);
    expect(job({ ...base, status: 'COMPLETE', sub_jobs: [{ id: 's', status: 'SUCCESS' }] }).progress).toBe(100);
    expect(job({ ...base, status: 'FAILED' }).progress).toBeNull();
    expect(job({ ...base, status: 'WAITING' }).progress).toBeNull();
  });

  it('COMPLETE with missing or null sub_jobs succeeds; subJobsTotal is null unless upstream says', () => {
    for (const extra of [{}, { sub_jobs: null }]) {
      const model = job({ ...base, status: 'COMPLETE', ...extra });
      expect(model.state).toBe('SUCCEEDED');
      expect(model.subJobs).toEqual([]);
      expect(model.entities).toEqual([]);
      expect(model.subJobsTotal).toBeNull();
    }
    expect(job({ ...base, status: 'RUNNING', sub_jobs: [] }).subJobsTotal).toBe(0);
    expect(job({ ...base, status: 'RUNNING', sub_jobs_total: 7, sub_jobs: [] }).subJobsTotal).toBe(7);
  });

  it('reads empty strings and nulls as absent', () => {
    const model = job({
      id: JOB_ID,
      status: 'RUNNING',
      job_type: '',
      begin_time: '',
      end_time: null,
      job_error_code: '',
      fail_reason: '  ',
      sub_jobs_total: null,
      sub_jobs: [
        {
          id: 's1',
          status: 'RUNNING',
          job_id: '',
          job_type: null,
          begin_time: '',
          end_time: null,
          error_code: '',
          fail_reason: '',
          host: '',
          attach_user: null,
          entities: { desktop_id: '', product_id: 'p' },
        },
      ],
    });
    expect(model).toMatchObject({ jobType: null, startedAt: null, finishedAt: null, error: null, subJobsTotal: 1, entities: [] });
    expect(model.subJobs[0]).toEqual({
      kind: 'WorkspaceSubJob',
      id: 's1',
      parentJobId: JOB_ID, // empty job_id falls back to the enclosing job
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
      host: null,
      attachUser: null,
    });
  });

  it('de-duplicates desktops across sub-jobs, first occurrence wins', () => {
    const model = job({
      ...base,
      status: 'RUNNING',
      sub_jobs: [
        { id: 's1', status: 'RUNNING', entities: { desktop_id: 'd1', desktop_name: 'first' } },
        { id: 's2', status: 'RUNNING', entities: { desktop_id: 'd1', desktop_name: 'second' } },
        { id: 's3', status: 'RUNNING', entities: { desktop_id: 'd2' } },
        { id: 's4', status: 'RUNNING' },
      ],
    });
    expect(model.entities.map((e) => [e.id, 'name' in e ? e.name : undefined])).toEqual([
      ['d1', 'first'],
      ['d2', null],
    ]);
    expect(model.subJobs[1]?.entities).toEqual([
      { kind: 'Desktop', id: 'd1', name: 'second', productId: null, userName: null, ipAddress: null },
    ]);
  });

  it('reports an unknown parent status once, however often it is mapped', () => {
    const body = { ...base, status: 'HALF_DONE', sub_jobs: [{ id: 's1', status: 'SUCCESS' }] };
    const first = job(body);
    job(body);
    expect(first).toMatchObject({ state: 'UNKNOWN', rawStatus: 'HALF_DONE', terminal: false, progress: null });
    expect(reported).toEqual([['WORKSPACE', 'HALF_DONE']]);
  });

  it('never throws on the statuses it does not know', () => {
    const spy = vi.fn();
    report = reportOnce(spy);
    expect(() => job({ ...base, status: 'ΩΩΩ', sub_jobs: [{ id: 's', status: 'ΨΨΨ' }] })).not.toThrow();
    expect(spy.mock.calls).toEqual([
      ['WORKSPACE', 'ΩΩΩ'],
      ['WORKSPACE', 'ΨΨΨ'],
    ]);
  });
});

describe('mapWorkspaceSubJob', () => {
  it('reads both the doc/GO and the DEF field sets', () => {
    const doc = must(parseWorkspaceJob({
      id: JOB_ID,
      status: 'RUNNING',
      sub_jobs: [
        {
          id: 'doc',
          status: 'FAILED',
          job_id: 'other-parent',
          process: 30,
          host: '10.0.0.5',
          project_id: 'p',
          attach_user: 'alice',
          entity: 'desktop',
          ip_address: '192.168.0.9',
          error_code: 'WKS.1',
          fail_reason: 'boom',
          entities: {
            desktop_id: 'd1',
            product_id: 'workspace.c2.large.windows',
            user_name: 'alice',
            desktop_name: 'alice-pc',
            ip_address: '192.168.0.10',
          },
        },
        {
          id: 'def',
          status: 'FAILED',
          desktop_name: 'bob-pc',
          mac_address: 'fa:16:3e:00:00:01',
          message: 'def message',
          ip_address: '192.168.0.11',
          entities: { desktop_id: 'd2', product_id: 'workspace.c2.large.windows', user_name: 'bob' },
        },
      ],
    })).sub_jobs!;
    expect(mapWorkspaceSubJob(doc[0]!, JOB_ID, report)).toEqual({
      kind: 'WorkspaceSubJob',
      id: 'doc',
      parentJobId: 'other-parent', // the sub-job's own job_id wins over the enclosing id
      jobType: null,
      state: 'FAILED',
      rawStatus: 'FAILED',
      terminal: true,
      progress: 30,
      startedAt: null,
      finishedAt: null,
      error: { code: 'WKS.1', message: 'boom' },
      entities: [
        {
          kind: 'Desktop',
          id: 'd1',
          name: 'alice-pc',
          productId: 'workspace.c2.large.windows',
          userName: 'alice',
          ipAddress: '192.168.0.10', // entities.ip_address before the sub-job's
        },
      ],
      resources: [],
      host: '10.0.0.5',
      attachUser: 'alice',
    });
    expect(mapWorkspaceSubJob(doc[1]!, null, report)).toMatchObject({
      parentJobId: null,
      error: { code: null, message: 'def message' },
      entities: [
        { kind: 'Desktop', id: 'd2', name: 'bob-pc', productId: 'workspace.c2.large.windows', userName: 'bob', ipAddress: '192.168.0.11' },
      ],
    });
  });

  it("uses DEF's message only as the failure text of a failed or coded sub-job", () => {
    const sub = (extra: object) => mapWorkspaceSubJob(must(parseWorkspaceSubJobList({ jobs: [{ id: 's', ...extra }] })).jobs[0]!, null, report);
    expect(sub({ status: 'SUCCESS', message: 'done' }).error).toBeNull();
    expect(sub({ status: 'RUNNING', message: 'working', error_code: 'WKS.7' }).error).toEqual({ code: 'WKS.7', message: 'working' });
    expect(sub({ status: 'FAILED', message: 'fallback', fail_reason: 'reason' }).error).toEqual({ code: null, message: 'reason' });
    expect(sub({ status: 'FAILED', message: 'fallback', fail_reason: '' }).error).toEqual({ code: null, message: 'fallback' });
    expect(sub({ status: 'SUCCESS', fail_reason: 'odd but reported' }).error).toEqual({ code: null, message: 'odd but reported' });
  });

  it('progress comes from process; a SUCCESS sub-job without one is 100', () => {
    const sub = (extra: object) => mapWorkspaceSubJob(must(parseWorkspaceSubJobList({ jobs: [{ id: 's', ...extra }] })).jobs[0]!, null, report);
    expect(sub({ status: 'RUNNING', process: 60 }).progress).toBe(60);
    expect(sub({ status: 'RUNNING', process: '60' }).progress).toBe(60);
    expect(sub({ status: 'RUNNING', process: 'abc' }).progress).toBeNull();
    expect(sub({ status: 'RUNNING', process: '' }).progress).toBeNull();
    expect(sub({ status: 'RUNNING', process: { n: 1 } }).progress).toBeNull(); // wrong type: read as absent
    expect(sub({ status: 'SUCCESS' }).progress).toBe(100);
    expect(sub({ status: 'SUCCESS', process: 90 }).progress).toBe(90);
    expect(sub({ status: 'FAILED' }).progress).toBeNull();
  });
});

describe('mapWorkspaceSubJobPage', () => {
  it('never reports fewer in total than the items on the page', () => {
    const items = [{ id: 'a', status: 'WAITING' }, { id: 'b', status: 'WAITING' }];
    expect(mapWorkspaceSubJobPage(must(parseWorkspaceSubJobList({ jobs: items })), report).totalCount).toBe(2);
    expect(mapWorkspaceSubJobPage(must(parseWorkspaceSubJobList({ total_count: 0, jobs: items })), report).totalCount).toBe(2);
    expect(mapWorkspaceSubJobPage(must(parseWorkspaceSubJobList({ total_count: 250, jobs: items })), report).totalCount).toBe(250);
    expect(mapWorkspaceSubJobPage(must(parseWorkspaceSubJobList({ total_count: 0, jobs: [] })), report)).toEqual({ totalCount: 0, items: [] });
  });
});

describe('parseWorkspaceJob / parseWorkspaceSubJobList', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'SUCCESS'],
    ['an empty id', { id: '', status: 'SUCCESS' }],
    ['a numeric id', { id: 42, status: 'SUCCESS' }],
    ['no status', { id: JOB_ID }],
    ['a null status', { id: JOB_ID, status: null }],
    ['a numeric status', { id: JOB_ID, status: 1 }],
    ['sub_jobs that is not an array', { id: JOB_ID, status: 'SUCCESS', sub_jobs: { id: 's' } }],
    ['a sub-job without id', { id: JOB_ID, status: 'SUCCESS', sub_jobs: [{ status: 'SUCCESS' }] }],
    ['a sub-job without status', { id: JOB_ID, status: 'COMPLETE', sub_jobs: [{ id: 's' }] }],
    ['a sub-job that is not an object', { id: JOB_ID, status: 'COMPLETE', sub_jobs: ['s'] }],
  ])('rejects a job body with %s', (_, body) => {
    const result = parseWorkspaceJob(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).not.toBe('');
  });

  it('keeps unknown keys and reads wrong-typed optional fields as absent', () => {
    const raw = must(
      parseWorkspaceJob({
        id: JOB_ID,
        status: 'RUNNING',
        job_type: 12,
        begin_time: { at: 'now' },
        sub_jobs_total: 'three',
        brand_new_field: true,
        sub_jobs: [{ id: '', status: 'RUNNING', entities: 'd1', extra: 1 }],
      }),
    );
    expect(raw['brand_new_field']).toBe(true);
    const model = mapWorkspaceJob(raw, LOC, report);
    expect(model).toMatchObject({ jobType: null, startedAt: null, subJobsTotal: 1 });
    expect(model.subJobs[0]).toMatchObject({ id: '', entities: [] });
  });

  it('rejects list bodies without a jobs array or with unusable items', () => {
    for (const body of [{}, { total_count: 1 }, { jobs: null }, { jobs: [{ id: 'a' }] }, { jobs: [{ status: 'RUNNING' }] }]) {
      expect(parseWorkspaceSubJobList(body).ok).toBe(false);
    }
  });

  it('names where the body departs from the documented shape in one line', () => {
    const result = parseWorkspaceJob({ id: JOB_ID, status: 'SUCCESS', sub_jobs: [{ id: 's' }] });
    expect(result).toEqual({ ok: false, issues: 'sub_jobs.0.status: Invalid input: expected string, received undefined' });
  });
});
