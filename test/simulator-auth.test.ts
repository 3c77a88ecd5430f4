/**
 * The simulator checks credentials the way the API gateway does (docs/upstream.md#authentication, docs/upstream.md#simulator): tokens, and AK/SK
 * signatures rebuilt from the request as received over exactly the headers listed in SignedHeaders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRequest, computeSignature, formatSdkDate, signRequest } from '../src/auth/signer.js';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';

const T0 = Date.UTC(2024, 2, 15, 8, 30, 0);
const P = DEMO.projectId;
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const SCOPED_TOKEN = 'scoped-token-only-other-project';
const SCOPED_AK = 'SCOPEDACCESSKEY00000';
const SCOPED_SK = 'scoped-secret-key-00000000000000';
const SHOW_JOB = `/v2/${P}/workspace-jobs/${DEMO.workspace.success}`;

let sim: Simulator;
/** Every response body seen, to check that no secret ever leaks into one. */
const bodies: string[] = [];

interface Reply {
  status: number;
  requestId: string | null;
  body: any;
}

async function send(path: string, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(`${sim.url}${path}`, { headers });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: JSON.parse(text) };
}

/** Signs like our upstream clients (signed headers host;x-project-id;x-sdk-date) and sends the request. */
async function signedGet(
  path: string,
  options: { sk?: string; ak?: string; at?: number; signUrl?: string; extraHeaders?: Record<string, string> } = {},
): Promise<Reply> {
  const url = new URL(options.signUrl ?? `${sim.url}${path}`);
  const headers: Record<string, string> = { 'X-Project-Id': P, ...options.extraHeaders };
  signRequest({ method: 'GET', url, headers }, { ak: options.ak ?? DEMO.ak, sk: options.sk ?? DEMO.sk }, new Date(options.at ?? T0));
  return send(path, headers);
}

function expectApig401(reply: Reply, message: string): void {
  expect(reply.status).toBe(401);
  expect(reply.body).toEqual({
    error_code: 'APIG.0301',
    error_msg: `Incorrect IAM authentication information: ${message}`,
    request_id: reply.requestId,
  });
}

beforeAll(async () => {
  sim = await createSimulator({
    now: () => T0,
    tokens: { [DEMO.token]: { projects: '*' }, [SCOPED_TOKEN]: { projects: [OTHER_PROJECT] } },
    accessKeys: [
      { ak: DEMO.ak, sk: DEMO.sk },
      { ak: SCOPED_AK, sk: SCOPED_SK, projects: [OTHER_PROJECT] },
    ],
  });
});
afterAll(() => sim.close());

describe('token auth', () => {
  it('accepts a known X-Auth-Token', async () => {
    expect((await send(SHOW_JOB, { 'X-Auth-Token': DEMO.token })).status).toBe(200);
  });

  it('rejects an unknown token with 401 APIG.0301 "decrypt token fail"', async () => {
    expectApig401(await send(SHOW_JOB, { 'X-Auth-Token': 'not-a-token' }), 'decrypt token fail');
    expectApig401(await send(SHOW_JOB, { 'X-Auth-Token': '' }), 'decrypt token fail');
  });

  it('rejects a request without any credential with 401 APIG.0301', async () => {
    const reply = await send(SHOW_JOB, {});
    expect(reply.status).toBe(401);
    expect(reply.body.error_code).toBe('APIG.0301');
    expect(reply.body.request_id).toBe(reply.requestId);
  });

  it('answers 403 in the service envelope when the token may not use the project', async () => {
    const workspace = await send(SHOW_JOB, { 'X-Auth-Token': SCOPED_TOKEN });
    expect(workspace.status).toBe(403);
    expect(workspace.body).toEqual({ error_code: 'WKS.00081102', error_msg: expect.any(String) });
    const gauss = await send(`/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`, { 'X-Auth-Token': SCOPED_TOKEN });
    expect(gauss.status).toBe(403);
    expect(gauss.body.error_code).toMatch(/^DBS\./);
    const phone = await send(`/v1/${P}/cloud-phone/jobs/${DEMO.cloudPhone.success}`, { 'X-Auth-Token': SCOPED_TOKEN });
    expect(phone.status).toBe(403);
    expect(phone.body).toEqual({ error_code: 'CPS.0001', error_msg: 'No permission to request resources.', request_id: phone.requestId });
    // Its own project is fine (and has no such job).
    expect((await send(`/v2/${OTHER_PROJECT}/workspace-jobs/${DEMO.workspace.success}`, { 'X-Auth-Token': SCOPED_TOKEN })).status).toBe(404);
  });
});

describe('AK/SK auth (SDK-HMAC-SHA256)', () => {
  it('accepts a request signed by src/auth/signer.ts over host;x-project-id;x-sdk-date', async () => {
    const url = new URL(`${sim.url}${SHOW_JOB}`);
    const headers: Record<string, string> = { 'X-Project-Id': P };
    signRequest({ method: 'GET', url, headers }, { ak: DEMO.ak, sk: DEMO.sk }, new Date(T0));
    expect(headers['Authorization']).toContain('SignedHeaders=host;x-project-id;x-sdk-date,');
    const reply = await send(SHOW_JOB, headers);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(DEMO.workspace.success);
  });

  it('verifies signed query strings, including comma-separated request_ids and GaussDB ?id=', async () => {
    const { batch, success } = DEMO.cloudPhone.requestIds;
    const list = await signedGet(`/v1/${P}/cloud-phone/jobs?request_ids=${batch},${success}&limit=10`);
    expect(list.status).toBe(200);
    expect(list.body.jobs).toHaveLength(4);
    expect((await signedGet(`/v3/${P}/jobs?id=${DEMO.gaussdb.completed}`)).status).toBe(200);
    expect((await signedGet(`/v1/${P}/app-server-sub-jobs?job_type=&status=ROLLBACK`)).status).toBe(200);
  });

  it('uses whatever SignedHeaders lists: a Go-style set without host, and an extra custom header', async () => {
    const url = new URL(`${sim.url}${SHOW_JOB}`);
    const sdkDate = formatSdkDate(new Date(T0));
    const goHeaders: Record<string, string> = { 'X-Project-Id': P, 'X-Sdk-Date': sdkDate };
    const goSigned = ['x-project-id', 'x-sdk-date'];
    const goSignature = computeSignature(canonicalRequest({ method: 'GET', url, headers: goHeaders }, goSigned), sdkDate, DEMO.sk);
    goHeaders['Authorization'] = `SDK-HMAC-SHA256 Access=${DEMO.ak}, SignedHeaders=${goSigned.join(';')}, Signature=${goSignature}`;
    expect((await send(SHOW_JOB, goHeaders)).status).toBe(200);

    expect((await signedGet(SHOW_JOB, { extraHeaders: { 'X-Trace-Tag': 'demo-42' } })).status).toBe(200);
  });

  it('rejects a signature made with the wrong SK', async () => {
    expectApig401(await signedGet(SHOW_JOB, { sk: 'wrong-secret-key-000000000000000' }), 'verify aksk signature fail');
  });

  it('rejects an unknown AK', async () => {
    expectApig401(await signedGet(SHOW_JOB, { ak: 'UNKNOWNACCESSKEY0000' }), 'verify aksk signature fail');
  });

  it('rejects a request whose query, path or signed header differs from what was signed', async () => {
    const path = `/v1/${P}/cloud-phone/jobs?request_id=${DEMO.cloudPhone.requestIds.batch}&limit=10`;
    const url = new URL(`${sim.url}${path}`);
    const headers: Record<string, string> = { 'X-Project-Id': P };
    signRequest({ method: 'GET', url, headers }, { ak: DEMO.ak, sk: DEMO.sk }, new Date(T0));
    expect((await send(path, headers)).status).toBe(200);
    expectApig401(await send(path.replace('limit=10', 'limit=11'), headers), 'verify aksk signature fail');
    expectApig401(await send(path.replace('/cloud-phone/jobs?', `/cloud-phone/jobs/${DEMO.cloudPhone.success}?`), headers), 'verify aksk signature fail');
    expectApig401(await send(path, { ...headers, 'X-Project-Id': OTHER_PROJECT }), 'verify aksk signature fail');
    // Signed for another host.
    expectApig401(await signedGet(SHOW_JOB, { signUrl: `http://workspace.cn-north-4.myhuaweicloud.com${SHOW_JOB}` }), 'verify aksk signature fail');
  });

  it('rejects an X-Sdk-Date more than 15 minutes from the simulator clock, either way', async () => {
    expect((await signedGet(SHOW_JOB, { at: T0 - 14 * 60_000 })).status).toBe(200);
    expect((await signedGet(SHOW_JOB, { at: T0 + 14 * 60_000 })).status).toBe(200);
    expectApig401(await signedGet(SHOW_JOB, { at: T0 - 16 * 60_000 }), 'verify aksk signature fail');
    expectApig401(await signedGet(SHOW_JOB, { at: T0 + 16 * 60_000 }), 'verify aksk signature fail');
  });

  it('rejects a missing or malformed X-Sdk-Date, and SignedHeaders without x-sdk-date', async () => {
    const url = new URL(`${sim.url}${SHOW_JOB}`);
    const headers: Record<string, string> = { 'X-Project-Id': P };
    signRequest({ method: 'GET', url, headers }, { ak: DEMO.ak, sk: DEMO.sk }, new Date(T0));
    const { 'X-Sdk-Date': _date, ...withoutDate } = headers;
    expectApig401(await send(SHOW_JOB, withoutDate), 'verify aksk signature fail');
    expectApig401(await send(SHOW_JOB, { ...headers, 'X-Sdk-Date': '2024-03-15T08:30:00Z' }), 'verify aksk signature fail');

    const dateless = ['x-project-id'];
    const signature = computeSignature(canonicalRequest({ method: 'GET', url, headers }, dateless), headers['X-Sdk-Date']!, DEMO.sk);
    const noDateSigned = { ...headers, Authorization: `SDK-HMAC-SHA256 Access=${DEMO.ak}, SignedHeaders=x-project-id, Signature=${signature}` };
    expectApig401(await send(SHOW_JOB, noDateSigned), 'verify aksk signature fail');
  });

  it('rejects an Authorization header that is not SDK-HMAC-SHA256', async () => {
    expectApig401(await send(SHOW_JOB, { Authorization: 'Bearer abc', 'X-Sdk-Date': formatSdkDate(new Date(T0)) }), 'verify aksk signature fail');
  });

  it('answers 403 when the AK may not use the project', async () => {
    const reply = await signedGet(SHOW_JOB, { ak: SCOPED_AK, sk: SCOPED_SK });
    expect(reply.status).toBe(403);
    expect(reply.body.error_code).toBe('WKS.00081102');
  });
});

describe('secrets', () => {
  it('never puts a token, a secret key or a signature into a response body or a call record', async () => {
    const signed = await signedGet(SHOW_JOB, { sk: 'wrong-secret-key-000000000000000' });
    expect(signed.status).toBe(401);
    const calls = JSON.stringify(sim.calls.list());
    const everything = [...bodies, calls].join('\n');
    for (const secret of [DEMO.token, SCOPED_TOKEN, 'not-a-token', DEMO.sk, SCOPED_SK, 'wrong-secret-key']) {
      expect(everything).not.toContain(secret);
    }
    // Signatures are 64 hex characters; none is echoed.
    expect(everything).not.toMatch(/[0-9a-f]{64}/);
    expect(sim.calls.list({ authKind: 'token' }).every((c) => /^token:[0-9a-f]{8}$/.test(c.credential!))).toBe(true);
    expect(sim.calls.list({ authKind: 'aksk' }).some((c) => c.credential === `ak:${DEMO.ak}`)).toBe(true);
  });
});
