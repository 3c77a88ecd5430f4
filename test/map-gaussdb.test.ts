import { beforeEach, describe, expect, it } from 'vitest';
import type { JobLocation } from '../src/model/job.js';
import { reportOnce, type UnknownStatusReport } from '../src/model/status.js';
import { gaussDbState, mapGaussDbJob } from '../src/services/gaussdb/map.js';
import { parseGaussDbJob, type ParseResult } from '../src/services/gaussdb/raw.js';

const LOC: JobLocation = { region: 'cn-north-4', projectId: '0123456789abcdef0123456789abcdef' };
const JOB_ID = '31b8ae23-c687-4d80-b7b4-42a66c9bb886';

function must<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a usable body, got: ${result.issues}`);
  return result.value;
}

const job = (detail: object) => mapGaussDbJob(must(parseGaussDbJob({ job: { id: JOB_ID, ...detail } })), LOC, report);

let reported: Array<[string, string]>;
let report: UnknownStatusReport;
beforeEach(() => {
  reported = [];
  report = reportOnce((service, raw) => reported.push([service, raw]));
});

describe('GaussDB reference examples (docs/upstream.md#gaussdb)', () => {
  it('maps the official ShowGaussMySqlJobInfo example exactly, honoring mixed +0800/+0000 offsets', () => {
    const body = JSON.parse(`{"job":{"id":"31b8ae23-c687-4d80-b7b4-42a66c9bb886","name":"CreateGaussDBforMySQLInstance","status":"Completed",
 "created":"2018-08-06T10:41:14+0800","ended":"2018-08-06T16:41:14+0000","process":"",
 "instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"DO-NOT-TOUCH-mgr2-mysql-single"},
 "entities":{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},
   "resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}}}`);
    const instance = {
      kind: 'DatabaseInstance',
      id: 'a48e43ff268f4c0e879652d65e63d0fbin07',
      name: 'DO-NOT-TOUCH-mgr2-mysql-single',
      endpoint: '192.168.1.203:3306',
      type: 'Cluster',
      datastoreType: 'gaussdb-mysql',
      datastoreVersion: '8.0',
    };
    const model = mapGaussDbJob(must(parseGaussDbJob(body)), LOC, report);
    expect(model).toEqual({
      kind: 'GaussDBJob',
      service: 'GAUSSDB_MYSQL',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: JOB_ID,
      jobType: 'CreateGaussDBforMySQLInstance',
      state: 'SUCCEEDED',
      rawStatus: 'Completed',
      terminal: true,
      progress: 100, // succeeded, and process "" reports nothing
      startedAt: new Date('2018-08-06T02:41:14.000Z'),
      finishedAt: new Date('2018-08-06T16:41:14.000Z'),
      error: null,
      instance,
      resources: [
        { id: 'a48e43ff268f4c0e879652d65e63d0fbin07.vm', name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] },
        { id: 'a48e43ff268f4c0e879652d65e63d0fbin07.volume', name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] },
      ],
      subJobs: [],
      entities: [instance],
    });
    expect(model.startedAt?.toISOString()).toBe('2018-08-06T02:41:14.000Z');
    expect(model.finishedAt?.toISOString()).toBe('2018-08-06T16:41:14.000Z');
    expect(reported).toEqual([]);
  });
});

describe('gaussDbState (docs/upstream.md#statuses)', () => {
  it.each([
    ['Pending', 'PENDING', false],
    ['Running', 'RUNNING', false],
    ['Completed', 'SUCCEEDED', true],
    ['Failed', 'FAILED', true],
    ['RUNNING', 'RUNNING', false],
    ['completed', 'SUCCEEDED', true],
    [' FAILED ', 'FAILED', true],
  ] as const)('%j → %s (terminal %s)', (status, state, terminal) => {
    expect(gaussDbState(status, report)).toEqual({ state, terminal });
    expect(reported).toEqual([]);
  });

  it.each(['Complete', 'Success', 'Cancelled', ''])('%j is UNKNOWN, not terminal, and reported', (status) => {
    expect(gaussDbState(status, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(reported).toEqual([['GAUSSDB_MYSQL', status]]);
  });
});

describe('mapGaussDbJob', () => {
  it.each([
    ['Running', '60%', 60],
    ['Running', '60', 60],
    ['Running', ' 7 % ', 7],
    ['Running', '', null],
    ['Running', 'abc', null],
    ['Running', '150%', 100],
    ['Running', null, null],
    ['Running', 45, 45],
    ['Pending', '', null],
    ['Failed', '', null],
    ['Failed', '30%', 30],
    ['Completed', '', 100],
    ['Completed', 'abc', 100],
    ['Completed', '100%', 100],
  ] as const)('status %s with process %j → progress %j', (status, process, progress) => {
    expect(job({ status, process }).progress).toBe(progress);
  });

  it('takes the error from fail_reason only, with no code', () => {
    expect(job({ status: 'Failed', fail_reason: 'Insufficient resources.' }).error).toEqual({
      code: null,
      message: 'Insufficient resources.',
    });
    expect(job({ status: 'Failed', fail_reason: '' }).error).toBeNull();
    expect(job({ status: 'Failed', fail_reason: null }).error).toBeNull();
    expect(job({ status: 'Failed' }).error).toBeNull();
  });

  it('reads empty or missing times, instance and entities as absent', () => {
    const model = job({ status: 'Running', name: '', created: '', ended: null, process: '10%' });
    expect(model).toEqual({
      kind: 'GaussDBJob',
      service: 'GAUSSDB_MYSQL',
      region: 'cn-north-4',
      projectId: '0123456789abcdef0123456789abcdef',
      jobId: JOB_ID,
      jobType: null,
      state: 'RUNNING',
      rawStatus: 'Running',
      terminal: false,
      progress: 10,
      startedAt: null,
      finishedAt: null,
      error: null,
      instance: null,
      resources: [],
      subJobs: [],
      entities: [],
    });
    expect(job({ status: 'Running', instance: null, entities: null })).toMatchObject({ instance: null, entities: [], resources: [] });
    expect(job({ status: 'Running', instance: { id: '', name: 'x' } })).toMatchObject({ instance: null, entities: [] });
  });

  it('honors +08:00, Z, zone-less and fractional times', () => {
    const at = (created: string) => job({ status: 'Running', created }).startedAt?.toISOString() ?? null;
    expect(at('2018-08-06T10:41:14+0800')).toBe('2018-08-06T02:41:14.000Z');
    expect(at('2018-08-06T10:41:14+08:00')).toBe('2018-08-06T02:41:14.000Z');
    expect(at('2018-08-06T10:41:14-0230')).toBe('2018-08-06T13:11:14.000Z');
    expect(at('2018-08-06T10:41:14Z')).toBe('2018-08-06T10:41:14.000Z');
    expect(at('2018-08-06T10:41:14.123+0000')).toBe('2018-08-06T10:41:14.123Z');
    expect(at('2018-08-06T10:41:14')).toBe('2018-08-06T10:41:14.000Z');
    expect(at('yesterday')).toBeNull();
  });

  it('merges the instance with entities.instance, but never blends two different instances', () => {
    const same = job({
      status: 'Running',
      instance: { id: 'i1', name: 'db-1' },
      entities: { instance: { id: 'i1', endpoint: '10.0.0.1:3306', type: 'Ha', datastore: { type: 'gaussdb-mysql' } } },
    });
    expect(same.instance).toEqual({
      kind: 'DatabaseInstance',
      id: 'i1',
      name: 'db-1',
      endpoint: '10.0.0.1:3306',
      type: 'Ha',
      datastoreType: 'gaussdb-mysql',
      datastoreVersion: null,
    });
    expect(same.entities).toEqual([same.instance]);

    const other = job({
      status: 'Running',
      instance: { id: 'i1', name: 'db-1' },
      entities: { instance: { id: 'i2', name: 'db-2', endpoint: '10.0.0.2:3306' } },
    });
    expect(other.instance).toMatchObject({ id: 'i1', name: 'db-1', endpoint: null });

    const onlyEntities = job({ status: 'Running', entities: { instance: { id: 'i3', name: 'db-3', type: 'Cluster' } } });
    expect(onlyEntities.instance).toMatchObject({ id: 'i3', name: 'db-3', type: 'Cluster' });

    const noIdAnywhere = job({ status: 'Running', entities: { instance: { endpoint: '10.0.0.9:3306' } } });
    expect(noIdAnywhere.instance).toBeNull();
  });

  it('de-duplicates resource_ids and skips empty or non-text ones, inventing no names or types', () => {
    const model = job({
      status: 'Completed',
      entities: { resource_ids: ['a.vm', '', 'a.vm', 7, null, 'a.volume'], public_ip: '1.2.3.4' },
    });
    expect(model.resources).toEqual([
      { id: 'a.vm', name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] },
      { id: 'a.volume', name: null, cloudServiceType: null, resourceType: null, isMain: null, related: [] },
    ]);
    expect(job({ status: 'Completed', entities: { resource_ids: 'a.vm' } }).resources).toEqual([]);
  });

  it('reports an unknown status once and never throws', () => {
    const first = job({ status: 'Suspended', process: '40%' });
    job({ status: 'Suspended' });
    expect(first).toMatchObject({ state: 'UNKNOWN', rawStatus: 'Suspended', terminal: false, progress: 40 });
    expect(reported).toEqual([['GAUSSDB_MYSQL', 'Suspended']]);
  });
});

describe('parse functions', () => {
  it.each([
    ['null', null],
    ['no job', {}],
    ['a null job', { job: null }],
    ['a job without id', { job: { status: 'Running' } }],
    ['an empty id', { job: { id: '', status: 'Running' } }],
    ['a job without status', { job: { id: JOB_ID } }],
    ['a numeric status', { job: { id: JOB_ID, status: 2 } }],
    ['the error envelope', { error_code: 'DBS.200022', error_msg: '实例不存在' }],
  ])('rejects a ShowGaussMySqlJobInfo body with %s', (_, body) => {
    expect(parseGaussDbJob(body).ok).toBe(false);
  });

  it('accepts a job whose required-by-DEF instance and created are missing, keeping unknown keys', () => {
    const raw = must(parseGaussDbJob({ job: { id: JOB_ID, status: 'Pending', instance: 'not an object', extra: 1 } }));
    expect(raw.job['extra']).toBe(1);
    expect(mapGaussDbJob(raw, LOC, report)).toMatchObject({ state: 'PENDING', instance: null, startedAt: null });
  });
});
