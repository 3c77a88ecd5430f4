import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudPhoneJobModel, JobLocation } from '../src/model/job.js';
import { reportOnce, type UnknownStatusReport } from '../src/model/status.js';
import { cloudPhoneState, mapCloudPhoneJob, mapCloudPhoneJobList } from '../src/services/cloud-phone/map.js';
import { parseCloudPhoneJob, parseCloudPhoneJobList, type ParseResult } from '../src/services/cloud-phone/raw.js';

const LOC: JobLocation = { region: 'cn-north-4', projectId: '0123456789abcdef0123456789abcdef' };

function must<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a usable body, got: ${result.issues}`);
  return result.value;
}

const job = (body: unknown, requestId?: string | null) => mapCloudPhoneJob(must(parseCloudPhoneJob(body)), LOC, requestId, report);

let reported: Array<[string, string]>;
let report: UnknownStatusReport;
beforeEach(() => {
  reported = [];
  report = reportOnce((service, raw) => reported.push([service, raw]));
});

describe('Cloud Phone reference examples (docs/upstream.md#cloud-phone)', () => {
  it('maps the official ShowJob example (explicit nulls) exactly', () => {
    const body = JSON.parse(`{"error_msg":null,"execute_msg":null,"job_id":"6837531fd3f54550927b930180a706bf",
 "phone_id":"9b28fbe50ded4060b8149a47e55dba82","end_time":"2019-04-26T07:00:06Z",
 "begin_time":"2019-04-26T07:00:00Z","error_code":null,"request_id":"2676a3b4f7df49c297c6775989806d32","status":2}`);
    const model = job(body);
    expect(model).toEqual({
      kind: 'CloudPhoneJob',
      service: 'CLOUD_PHONE',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: '6837531fd3f54550927b930180a706bf',
      jobType: null,
      state: 'SUCCEEDED',
      rawStatus: '2',
      terminal: true,
      progress: 100,
      startedAt: new Date('2019-04-26T07:00:00.000Z'),
      finishedAt: new Date('2019-04-26T07:00:06.000Z'),
      error: null,
      requestId: '2676a3b4f7df49c297c6775989806d32',
      executeMessage: null,
      phone: { kind: 'CloudPhone', id: '9b28fbe50ded4060b8149a47e55dba82' },
      server: null,
      subJobs: [],
      entities: [{ kind: 'CloudPhone', id: '9b28fbe50ded4060b8149a47e55dba82' }],
    });
    expect(model.finishedAt?.toISOString()).toBe('2019-04-26T07:00:06.000Z');
    // the body's own request_id wins over the caller's
    expect(job(body, 'ffffffffffffffffffffffffffffffff').requestId).toBe('2676a3b4f7df49c297c6775989806d32');
  });

  it('maps the official ListJobs example (36-character server ids) exactly', () => {
    const body = JSON.parse(`{"request_id":"6a63a18b8bab40ffb71ebd9cb80d0085","jobs":[
 {"phone_id":"1234567b8bab40ffb711234cb80d0234","server_id":"1e223c8e-3ad0-4bf0-a837-bc90d4f91d01","node_id":"1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
  "job_id":"1564567b8bab40f34711234cb80d0123","begin_time":"2017-10-25T00:00:00Z","end_time":"2017-10-25T00:00:30Z","status":-1,
  "error_code":"CPS0005","error_msg":"Phone not found."},
 {"phone_id":"abc4567b8bab40ffb711234cb80d0abc","server_id":"1e223c8e-3ad0-4bf0-a837-bc90d4f91d01","node_id":"1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
  "job_id":"1564567b8bab40f34711234cb80d0456","begin_time":"2017-10-25T00:00:00Z","end_time":"2017-10-25T00:00:32Z","status":2,
  "error_code":"","error_msg":""}]}`);
    const server = { kind: 'CloudPhoneServer', id: '1e223c8e-3ad0-4bf0-a837-bc90d4f91d01' } as const;
    const common = {
      kind: 'CloudPhoneJob',
      service: 'CLOUD_PHONE',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobType: null,
      startedAt: new Date('2017-10-25T00:00:00.000Z'),
      requestId: '6a63a18b8bab40ffb71ebd9cb80d0085',
      executeMessage: null,
      server,
      subJobs: [],
    } as const;
    const expected: CloudPhoneJobModel[] = [
      {
        ...common,
        subJobs: [],
        jobId: '1564567b8bab40f34711234cb80d0123',
        state: 'FAILED',
        rawStatus: '-1',
        terminal: true,
        progress: null,
        finishedAt: new Date('2017-10-25T00:00:30.000Z'),
        error: { code: 'CPS0005', message: 'Phone not found.' },
        phone: { kind: 'CloudPhone', id: '1234567b8bab40ffb711234cb80d0234' },
        entities: [{ kind: 'CloudPhone', id: '1234567b8bab40ffb711234cb80d0234' }, server],
      },
      {
        ...common,
        subJobs: [],
        jobId: '1564567b8bab40f34711234cb80d0456',
        state: 'SUCCEEDED',
        rawStatus: '2',
        terminal: true,
        progress: 100,
        finishedAt: new Date('2017-10-25T00:00:32.000Z'),
        error: null,
        phone: { kind: 'CloudPhone', id: 'abc4567b8bab40ffb711234cb80d0abc' },
        entities: [{ kind: 'CloudPhone', id: 'abc4567b8bab40ffb711234cb80d0abc' }, server],
      },
    ];
    const raw = must(parseCloudPhoneJobList(body));
    // the caller knows which single request it asked for and passes it
    expect(mapCloudPhoneJobList(raw, LOC, '6a63a18b8bab40ffb71ebd9cb80d0085', report)).toEqual(expected);
    // the top-level request_id is never spread onto items by itself (with request_ids=a,b it is ambiguous)
    expect(mapCloudPhoneJobList(raw, LOC, null, report).map((j) => j.requestId)).toEqual([null, null]);
  });
});

describe('cloudPhoneState (docs/upstream.md#statuses)', () => {
  it.each([
    [1, 'RUNNING', false],
    [2, 'SUCCEEDED', true],
    [-1, 'FAILED', true],
  ] as const)('%i → %s (terminal %s)', (status, state, terminal) => {
    expect(cloudPhoneState(status, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each([0, 3, -2, 128])('%i is UNKNOWN, not terminal, and reported once', (status) => {
    expect(cloudPhoneState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(cloudPhoneState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['CLOUD_PHONE', String(status)]]);
  });
});

describe('mapCloudPhoneJob', () => {
  const base = { job_id: '6837531fd3f54550927b930180a706bf' };

  it('a running job with execute_msg and no ids', () => {
    expect(job({ ...base, status: 1, execute_msg: 'adb output', begin_time: '2019-04-26T07:00:00Z', end_time: '' }, 'req-1')).toEqual({
      kind: 'CloudPhoneJob',
      service: 'CLOUD_PHONE',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: '6837531fd3f54550927b930180a706bf',
      jobType: null,
      state: 'RUNNING',
      rawStatus: '1',
      terminal: false,
      progress: null,
      startedAt: new Date('2019-04-26T07:00:00.000Z'),
      finishedAt: null,
      error: null,
      requestId: 'req-1', // no request_id in the body: the caller's
      executeMessage: 'adb output',
      phone: null,
      server: null,
      subJobs: [],
      entities: [],
    });
  });

  it('takes the server from server_id, else the deprecated node_id', () => {
    expect(job({ ...base, status: 2, server_id: 's1', node_id: 'n1' }).server).toEqual({ kind: 'CloudPhoneServer', id: 's1' });
    expect(job({ ...base, status: 2, server_id: '', node_id: 'n1' }).server).toEqual({ kind: 'CloudPhoneServer', id: 'n1' });
    expect(job({ ...base, status: 2, server_id: null, node_id: null }).server).toBeNull();
    expect(job({ ...base, status: 2, server_id: 's1', node_id: 'n1' }).entities).toEqual([{ kind: 'CloudPhoneServer', id: 's1' }]);
  });

  it('reads empty strings and nulls as absent', () => {
    const model = job({ ...base, status: -1, request_id: '', phone_id: '', error_code: '', error_msg: 'only a message', execute_msg: '' });
    expect(model).toMatchObject({ requestId: null, phone: null, executeMessage: null, error: { code: null, message: 'only a message' } });
    expect(job({ ...base, status: -1, error_code: 'CPS.0001', error_msg: null }).error).toEqual({ code: 'CPS.0001', message: null });
    expect(job({ ...base, status: -1, error_code: null, error_msg: null }).error).toBeNull();
    expect(job({ ...base, status: 2 }, '').requestId).toBeNull();
  });

  it('reports an unknown status once and never throws', () => {
    const model = job({ ...base, status: 5 });
    job({ ...base, status: 5 });
    expect(model).toMatchObject({ state: 'UNKNOWN', rawStatus: '5', terminal: false, progress: null });
    expect(reported).toEqual([['CLOUD_PHONE', '5']]);
  });
});

describe('parse functions', () => {
  it.each([
    ['null', null],
    ['an empty object', {}],
    ['no job_id', { status: 2 }],
    ['an empty job_id', { job_id: '', status: 2 }],
    ['no status', { job_id: 'j' }],
    ['a null status', { job_id: 'j', status: null }],
    // DEF documents int32: a text status is not the documented shape, and is rejected rather than coerced
    ['status as text "2"', { job_id: 'j', status: '2' }],
    ['a fractional status', { job_id: 'j', status: 1.5 }],
    ['the error envelope', { request_id: 'aad0860d089c482b943971f802a6718e', error_code: 'CPS.0001', error_msg: 'No permission to request resources.' }],
  ])('rejects a ShowJob body with %s', (_, body) => {
    expect(parseCloudPhoneJob(body).ok).toBe(false);
  });

  it.each([
    ['no jobs', { request_id: 'r' }],
    ['jobs that is not an array', { request_id: 'r', jobs: {} }],
    ['an item with a text status', { jobs: [{ job_id: 'j', status: '-1' }] }],
    ['an item without job_id', { jobs: [{ status: 1 }] }],
  ])('rejects a ListJobs body with %s', (_, body) => {
    expect(parseCloudPhoneJobList(body).ok).toBe(false);
  });

  it('names the offending field', () => {
    expect(parseCloudPhoneJob({ job_id: 'j', status: '2' })).toEqual({
      ok: false,
      issues: 'status: Invalid input: expected number, received string',
    });
  });

  it('keeps unknown keys (e.g. the older encode_server_id) and reads wrong-typed optional fields as absent', () => {
    const raw = must(parseCloudPhoneJobList({ jobs: [{ job_id: 'j', status: 1, encode_server_id: 'enc', phone_id: 42 }] }));
    expect(raw.jobs[0]?.['encode_server_id']).toBe('enc');
    expect(mapCloudPhoneJobList(raw, LOC, null, report)[0]?.phone).toBeNull();
    expect(must(parseCloudPhoneJobList({ request_id: null, jobs: [] })).jobs).toEqual([]);
  });
});
