/** The shared domain rules of src/model: a job's keys, status tables, the progress rule, the unknown-status report. */
import { describe, expect, it, vi } from 'vitest';
import { credentialJobKey, jobKey } from '../src/model/job-ref.js';
import { progressOf, reportOnce, statusTable } from '../src/model/status.js';

describe('job identity', () => {
  const ref = { service: 'CLOUD_PHONE' as const, region: 'cn-north-4', projectId: 'p', jobId: 'j|x', requestId: 'r' };

  it('keys a job by service, region, project and job; the request id is not part of it', () => {
    expect(jobKey(ref)).toBe('CLOUD_PHONE|cn-north-4|p|j|x');
    const withoutRequest = { ...ref, requestId: null };
    expect(jobKey(withoutRequest)).toBe(jobKey(ref));
  });

  it('scopes the key to a credential fingerprint', () => {
    expect(credentialJobKey(ref, 'token:abc')).toBe('CLOUD_PHONE|cn-north-4|p|j|x|token:abc');
    expect(credentialJobKey(ref, 'token:abc')).not.toBe(credentialJobKey(ref, 'token:def'));
  });
});

describe('status tables', () => {
  const state = statusTable<string>('TEST', { DONE: 'SUCCEEDED', BROKEN: 'FAILED', BUSY: 'RUNNING' }, (s) => s.trim().toUpperCase());

  it('derive terminal from the state', () => {
    const report = vi.fn();
    expect(state(' done ', report)).toEqual({ state: 'SUCCEEDED', terminal: true });
    expect(state('broken', report)).toEqual({ state: 'FAILED', terminal: true });
    expect(state('Busy', report)).toEqual({ state: 'RUNNING', terminal: false });
    expect(report).not.toHaveBeenCalled();
  });

  it.each(['constructor', '__proto__', 'toString', ''])('read %j as UNKNOWN and report it', (raw) => {
    const report = vi.fn();
    expect(state(raw, report)).toEqual({ state: 'UNKNOWN', terminal: false });
    expect(report).toHaveBeenCalledWith('TEST', raw);
  });
});

describe('progress', () => {
  it('is upstream’s own when reported, else 100 once succeeded, else unknown', () => {
    expect(progressOf('RUNNING', 40)).toBe(40);
    expect(progressOf('SUCCEEDED', 40)).toBe(40);
    expect(progressOf('SUCCEEDED')).toBe(100);
    expect(progressOf('FAILED')).toBeNull();
    expect(progressOf('RUNNING', null)).toBeNull();
  });
});

describe('reportOnce', () => {
  it('passes each (service, value) on once per reporter, and two reporters (two servers) do not share it', () => {
    const first = vi.fn();
    const second = vi.fn();
    const a = reportOnce(first);
    const b = reportOnce(second);
    a('WORKSPACE', 'ODD');
    a('WORKSPACE', 'ODD');
    a('GAUSSDB_MYSQL', 'ODD');
    b('WORKSPACE', 'ODD');
    expect(first.mock.calls).toEqual([
      ['WORKSPACE', 'ODD'],
      ['GAUSSDB_MYSQL', 'ODD'],
    ]);
    expect(second.mock.calls).toEqual([['WORKSPACE', 'ODD']]);
  });
});
