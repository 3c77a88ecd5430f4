/**
 * Apollo's cache-control header tells a router or CDN the truth: terminal jobs for the terminal-cache TTL, running
 * jobs for JOB_MAX_AGE_MS, always private (the answer depends on the credential), nothing for errors or missing
 * jobs, and the least of them for an operation mixing several.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJobId } from '../src/graphql/global-id.js';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
let off: TestServer;
beforeAll(async () => {
  [t, off] = await Promise.all([startTestServer({ JOB_MAX_AGE_MS: '3000', TERMINAL_CACHE_TTL_MS: '45000' }), startTestServer({ JOB_MAX_AGE_MS: '0' })]);
});
afterAll(async () => {
  await Promise.all([t.close(), off.close()]);
});

async function cacheControl(server: TestServer, query: string, headers: Record<string, string> = {}, variables = {}) {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { errors?: unknown[] };
  return { header: res.headers.get('cache-control'), errors: body.errors };
}

const job = (service: string, jobId: string, fields = 'state') => `job(ref: { service: ${service}, jobId: "${jobId}" }) { ${fields} }`;
const TERMINAL_WITH_NESTED = job(
  'WORKSPACE',
  DEMO.workspace.completeWithFailedSubJob,
  'state error { code } entities { __typename } subJobs { id error { code } entities { __typename } resources { id related { id } } }',
);
const RUNNING = job('GAUSSDB_MYSQL', DEMO.gaussdb.running);

describe('cache-control hints', () => {
  it('a terminal job (nested types included) is cacheable privately for the terminal-cache TTL', async () => {
    expect(await cacheControl(t, `{ ${TERMINAL_WITH_NESTED} }`)).toEqual({ header: 'max-age=45, private', errors: undefined });
  });

  it('a running job is cacheable privately for the window; with the window off, not at all', async () => {
    expect((await cacheControl(t, `{ ${RUNNING} }`)).header).toBe('max-age=3, private');
    expect((await cacheControl(off, `{ ${RUNNING} }`)).header).toBe('no-store');
  });

  it('an operation takes the least of its jobs: terminal and running together, or through jobs and _entities', async () => {
    expect((await cacheControl(t, `{ a: ${TERMINAL_WITH_NESTED} b: ${RUNNING} }`)).header).toBe('max-age=3, private');
    const refs = `[{ service: WORKSPACE, jobId: "${DEMO.workspace.success}" }, { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }]`;
    expect((await cacheControl(t, `{ jobs(refs: ${refs}) { state } }`)).header).toBe('max-age=3, private');
    const id = (service: string, jobId: string) => encodeJobId({ service: service as never, region: DEMO.region, projectId: DEMO.projectId, jobId });
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { state } } }`;
    const terminal = [{ __typename: 'WorkspaceJob', id: id('WORKSPACE', DEMO.workspace.success) }];
    expect((await cacheControl(t, entities, {}, { r: terminal })).header).toBe('max-age=45, private');
    const mixed = [...terminal, { __typename: 'GaussDBJob', id: id('GAUSSDB_MYSQL', DEMO.gaussdb.running) }];
    expect((await cacheControl(t, entities, {}, { r: mixed })).header).toBe('max-age=3, private');
  });

  it('the same hint, private, whichever credential asks (a client token or the service AK/SK)', async () => {
    expect((await cacheControl(t, `{ ${RUNNING} }`, { 'x-auth-token': DEMO.token })).header).toBe('max-age=3, private');
    expect((await cacheControl(t, `{ ${TERMINAL_WITH_NESTED} }`, { 'x-auth-token': DEMO.token })).header).toBe('max-age=45, private');
  });

  it('nothing is cacheable for a missing job, an error, or an unauthenticated request', async () => {
    expect((await cacheControl(t, `{ ${job('WORKSPACE', '00000000-0000-4000-8000-000000000000')} }`)).header).toBe('no-store');
    const fault = t.sim.faults.add({ route: 'gaussdb.showJob', jobId: DEMO.gaussdb.completed, status: 400 });
    try {
      const failing = await cacheControl(t, `{ a: ${TERMINAL_WITH_NESTED} b: ${job('GAUSSDB_MYSQL', DEMO.gaussdb.completed)} }`);
      expect(failing.errors).toBeDefined();
      expect(failing.header).toBe('no-store');
    } finally {
      t.sim.faults.remove(fault);
    }
    const denied = await cacheControl(t, `{ ${RUNNING} }`, { 'x-auth-token': 'unknown-token-0000' });
    expect(denied.errors).toBeDefined();
    expect(denied.header).toBe('no-store');
  });
});
