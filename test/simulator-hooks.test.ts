/**
 * The simulator's test hooks: injected faults, the call log, the `/_sim/` admin API, and a `close()` that
 * never hangs (keep-alive sockets, hanging requests).
 */
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, FaultValidationError, type FaultSpec, type Simulator } from '../src/simulator/index.js';

const T0 = Date.UTC(2024, 2, 15, 8, 30, 0);
const P = DEMO.projectId;
const WS = `/v2/${P}/workspace-jobs/${DEMO.workspace.success}`;
const WS_OTHER = `/v2/${P}/workspace-jobs/${DEMO.workspace.failed}`;
const CPH_LIST = `/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.batch}`;

let sim: Simulator;

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: { 'X-Auth-Token': DEMO.token }, ...init });
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  sim = await createSimulator({ now: () => T0 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.calls.reset();
});

describe('faults', () => {
  it('answers with a status, the service envelope and extra headers such as Retry-After', async () => {
    sim.faults.add({ route: 'workspace.showJob', status: 503, headers: { 'Retry-After': '2' } });
    const res = await get(WS);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toEqual({ error_code: 'WKS.00050902', error_msg: expect.any(String) });

    sim.faults.add({ service: 'cloudPhone', status: 429, headers: { 'Retry-After': '1' } });
    const throttled = await get(CPH_LIST);
    expect(throttled.status).toBe(429);
    expect((await throttled.json()).error_code).toBe('APIG.0308');
  });

  it('applies `times` times, then disappears', async () => {
    sim.faults.add({ route: 'workspace.showJob', status: 500, times: 2 });
    expect((await get(WS)).status).toBe(500);
    expect((await get(WS)).status).toBe(500);
    expect((await get(WS)).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
  });

  it('matches on job id, project and service, and sends a given body (JSON or verbatim)', async () => {
    sim.faults.add({ jobId: DEMO.workspace.failed, body: { surprise: true } });
    sim.faults.add({ service: 'gaussdb', status: 502, body: '<html>bad gateway</html>' });
    sim.faults.add({ projectId: 'another-project', status: 500 });
    expect((await get(WS)).status).toBe(200);
    const other = await get(WS_OTHER);
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ surprise: true });
    const gauss = await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`);
    expect(gauss.status).toBe(502);
    expect(await gauss.text()).toBe('<html>bad gateway</html>');
  });

  it('applies before auth: a faulted route answers even without credentials', async () => {
    sim.faults.add({ route: 'workspace.showJob', status: 503, times: 1 });
    expect((await get(WS, { headers: {} })).status).toBe(503);
    expect((await get(WS, { headers: {} })).status).toBe(401);
  });

  it('delays an answer', async () => {
    sim.faults.add({ route: 'workspace.showJob', delayMs: 300, times: 1 });
    const started = performance.now();
    const res = await get(WS);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('resets the connection', async () => {
    sim.faults.add({ route: 'workspace.showJob', reset: true, times: 1 });
    await expect(get(WS)).rejects.toThrow(TypeError);
    expect(sim.calls.list({ route: 'workspace.showJob' })[0]!.status).toBeNull();
    expect((await get(WS)).status).toBe(200);
  });

  it('answers 200 with a truncated JSON body when malformed', async () => {
    const normal = await (await get(WS)).text();
    sim.faults.add({ route: 'workspace.showJob', malformed: true, times: 1 });
    const res = await get(WS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(normal.startsWith(text)).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('hangs until the client gives up', async () => {
    sim.faults.add({ route: 'cloudPhone.listJobs', hang: true, times: 1 });
    await expect(get(CPH_LIST, { headers: { 'X-Auth-Token': DEMO.token }, signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    expect(sim.calls.count({ route: 'cloudPhone.listJobs' })).toBe(1);
    expect((await get(CPH_LIST)).status).toBe(200);
  });

  it('can be removed one by one or cleared', async () => {
    const a = sim.faults.add({ route: 'workspace.showJob', status: 500 });
    sim.faults.add({ route: 'workspace.listSubJobs', status: 500 });
    expect(sim.faults.remove(a)).toBe(true);
    expect(sim.faults.remove(a)).toBe(false);
    expect((await get(WS)).status).toBe(200);
    expect(sim.faults.list().map((f) => f.route)).toEqual(['workspace.listSubJobs']);
    sim.faults.clear();
    expect(sim.faults.list()).toEqual([]);
  });

  it('rejects a fault naming an unknown route or with bad fields', () => {
    expect(() => sim.faults.add({ route: 'workspace.nope' } as unknown as FaultSpec)).toThrow(FaultValidationError);
    expect(() => sim.faults.add({ status: 42 })).toThrow(FaultValidationError);
    expect(() => sim.faults.add({ times: 0 })).toThrow(FaultValidationError);
  });
});

describe('calls', () => {
  it('records route, service, path, query, project, job, auth kind, credential fingerprint, status and time', async () => {
    await get(WS);
    await get(`/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`, { headers: {} });
    await get(CPH_LIST);
    const [ws, gauss, cph] = sim.calls.list();
    expect(ws).toMatchObject({
      route: 'workspace.showJob',
      service: 'workspace',
      method: 'GET',
      path: WS,
      query: {},
      projectId: P,
      jobId: DEMO.workspace.success,
      authKind: 'token',
      status: 200,
      at: T0,
    });
    expect(ws!.credential).toMatch(/^token:[0-9a-f]{8}$/);
    expect(ws!.credential).not.toContain(DEMO.token);
    expect(gauss).toMatchObject({ route: 'gaussdb.showJob', jobId: DEMO.gaussdb.completed, authKind: 'none', status: 401 });
    expect(gauss).not.toHaveProperty('credential');
    expect(cph).toMatchObject({ route: 'cloudPhone.listJobs', query: { request_id: DEMO.cloudPhone.requestIds.batch } });
    expect(cph).not.toHaveProperty('jobId');
  });

  it('filters and counts by route, service, job and project, and resets', async () => {
    await get(WS);
    await get(WS);
    await get(WS_OTHER);
    await get(CPH_LIST);
    await get(`/v2/${P}/unknown`);
    expect(sim.calls.count()).toBe(5);
    expect(sim.calls.count({ route: 'workspace.showJob' })).toBe(3);
    expect(sim.calls.count({ service: 'workspace' })).toBe(3);
    expect(sim.calls.count({ jobId: DEMO.workspace.success })).toBe(2);
    expect(sim.calls.count({ projectId: P })).toBe(4);
    expect(sim.calls.count({ service: 'cloudPhone', jobId: DEMO.workspace.success })).toBe(0);
    expect(sim.calls.list().at(-1)).toMatchObject({ route: null, service: null, status: 404 });
    sim.calls.reset();
    expect(sim.calls.count()).toBe(0);
  });
});

describe('admin API (/_sim/)', () => {
  it('lists and clears calls', async () => {
    await get(WS);
    await get(CPH_LIST);
    const listed = await admin('GET', `/calls?route=workspace.showJob`);
    expect(listed.status).toBe(200);
    expect(listed.body.calls).toHaveLength(1);
    expect(listed.body.calls[0]).toMatchObject({ route: 'workspace.showJob', status: 200 });
    expect((await admin('GET', '/calls?service=nope')).status).toBe(400);
    expect((await admin('DELETE', '/calls')).body).toEqual({ cleared: 2 });
    expect(sim.calls.count()).toBe(0);
  });

  it('adds, lists and removes faults', async () => {
    const added = await admin('POST', '/faults', { route: 'workspace.showJob', status: 503, headers: { 'Retry-After': '3' } });
    expect(added.status).toBe(201);
    expect(added.body.id).toEqual(expect.any(String));
    const res = await get(WS);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await admin('GET', '/faults')).body.faults[0]).toMatchObject({ id: added.body.id, hits: 1 });
    expect((await admin('DELETE', `/faults/${added.body.id}`)).status).toBe(200);
    expect((await admin('DELETE', `/faults/${added.body.id}`)).status).toBe(404);
    await admin('POST', '/faults', { status: 500 });
    expect((await admin('DELETE', '/faults')).body).toEqual({ cleared: 1 });
    expect((await get(WS)).status).toBe(200);
    expect((await admin('POST', '/faults', { route: 'nope' })).status).toBe(400);
    expect((await admin('POST', '/faults', '{not json')).status).toBe(400);
  });

  it('answers 400 to a Cloud Phone job whose requestId is not 32 characters', async () => {
    const refused = await admin('POST', '/jobs/cloudPhone', { id: 'd'.repeat(32), requestId: 'abc', status: 1 });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('requestId must be 32 characters');
    expect(sim.store.get('cloudPhone', DEMO.projectId, 'd'.repeat(32))).toBeUndefined();
  });

  it('creates, reads and patches jobs', async () => {
    const created = await admin('POST', '/jobs/gaussdb', {
      id: 'admin-job-1',
      name: 'RebootGaussDBforMySQLInstance',
      status: 'Running',
      process: 25,
      instance: { id: 'abcin07', name: 'db' },
    });
    expect(created.status).toBe(201);
    expect(created.body.job).toMatchObject({ id: 'admin-job-1', projectId: P, status: 'Running' });
    const show = `/v3/${P}/jobs?id=admin-job-1`;
    expect((await (await get(show)).json()).job.process).toBe('25%');

    const patched = await admin('PATCH', `/jobs/gaussdb/${P}/admin-job-1`, { status: 'Failed', failReason: 'disk full' });
    expect(patched.status).toBe(200);
    expect((await (await get(show)).json()).job).toMatchObject({ status: 'Failed', process: '', fail_reason: 'disk full' });
    expect((await admin('GET', `/jobs/gaussdb/${P}/admin-job-1`)).body.job.status).toBe('Failed');

    expect((await admin('PATCH', `/jobs/gaussdb/${P}/missing`, { status: 'Failed' })).status).toBe(404);
    expect((await admin('POST', '/jobs/nope', { id: 'x' })).status).toBe(404);
    expect((await admin('POST', '/jobs/cloudPhone', { status: 1 })).status).toBe(400);
    expect((await admin('PATCH', `/jobs/workspace/${P}/${DEMO.workspace.running}`, { subJobs: [{ status: 'FAILED' }] })).status).toBe(400);
    sim.store.remove('gaussdb', P, 'admin-job-1');
  });

  it('serves the DEMO ids and answers unknown admin paths with 404', async () => {
    expect((await admin('GET', '/demo')).body).toEqual(JSON.parse(JSON.stringify(DEMO)));
    expect((await admin('GET', '/nothing')).status).toBe(404);
    expect(sim.calls.count()).toBe(0); // admin requests are not job calls
  });
});

describe('close()', () => {
  it('returns promptly with a keep-alive socket and a hanging request open, and is idempotent', async () => {
    const own = await createSimulator({ seed: true });
    own.faults.add({ hang: true, route: 'workspace.showJob' });
    const agent = new http.Agent({ keepAlive: true });
    // A finished keep-alive request leaves an idle socket behind.
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${own.url}/v2/${P}/workspace-sub-jobs`, { agent, headers: { 'X-Auth-Token': DEMO.token } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    const hanging = fetch(`${own.url}${WS}`, { headers: { 'X-Auth-Token': DEMO.token } }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(own.calls.count({ route: 'workspace.showJob' })).toBe(1);
    const started = performance.now();
    await Promise.all([own.close(), own.close()]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hanging).toBe('failed');
    await own.close();
    agent.destroy();
    await expect(fetch(`${own.url}${WS}`)).rejects.toThrow();
  });

  it('drops pending delayed answers on close', async () => {
    const own = await createSimulator({ seed: false });
    own.faults.add({ delayMs: 60_000 });
    const pending = fetch(`${own.url}/v2/${P}/workspace-sub-jobs`, { headers: { 'X-Auth-Token': DEMO.token } }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await own.close();
    expect(await pending).toBe('failed');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
