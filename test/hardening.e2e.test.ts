/** Operation limits, health and metrics, request limits, introspection and log redaction. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ MAX_REQUEST_BYTES: '200000' });
});
afterAll(() => t.close());
beforeEach(() => t.sim.calls.reset());

const refs = (n: number, prefix = 'j') =>
  Array.from({ length: n }, (_, i) => ({ service: 'WORKSPACE', jobId: `${prefix}-${i}-0000-4000-8000-000000000000` }));
const code = (res: { errors?: Array<{ extensions?: Record<string, any> }> }) => res.errors?.[0]?.extensions?.['code'];

describe('operation limits', () => {
  it('accepts a jobs list of 100 refs with nested sub-jobs, entities and resources', async () => {
    const res = await t.gql(
      `query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId state subJobs { id state error { code } entities { __typename } resources { id related { id } } } entities { __typename } } }`,
      { refs: refs(100) },
    );
    expect(res.errors).toBeUndefined();
    expect((res.data!['jobs'] as unknown[]).length).toBe(100);
    expect(t.sim.calls.count()).toBe(100);
  });

  it('refuses an operation that would fan out to thousands of upstream calls, before any call', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: jobs(refs: $r${i}) { jobId }`).join('\n');
    const vars = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`r${i}`, refs(100, `x${i}`)]));
    const decl = Array.from({ length: 25 }, (_, i) => `$r${i}: [JobRef!]!`).join(', ');
    const res = await t.gql(`query(${decl}) { ${aliases} }`, vars);
    expect(res.status).toBe(400);
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/about 2500 upstream calls; the limit is 300/);
    expect(t.sim.calls.count()).toBe(0);
  });

  it('counts distinct jobs, not repetitions: the same 100 refs under 5 aliases is fine', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `a${i}: jobs(refs: $refs) { jobId }`).join('\n');
    const res = await t.gql(`query($refs: [JobRef!]!) { ${aliases} }`, { refs: refs(100, 'same') });
    expect(res.errors).toBeUndefined();
  });

  it('refuses too deep a query', async () => {
    const res = await t.gql(`{ job(ref: { service: WORKSPACE, jobId: "x" }) { subJobs { resources { related { related { related { related { related { related { related { related { related { id } } } } } } } } } } } } }`);
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/depth/i);
    expect(t.sim.calls.count()).toBe(0);
  });

  it('refuses too many aliases', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `a${i}: job(ref: { service: WORKSPACE, jobId: "x${i}" }) { jobId }`).join(' ');
    const res = await t.gql(`{ ${fields} }`);
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/alias/i);
  });

  it('applies the same validation limits to subscriptions over WebSocket', async () => {
    const client = wsClient(t.url);
    try {
      const deep = collect(client, `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "x" }) { subJobs { resources { related { related { related { related { related { related { related { related { related { id } } } } } } } } } } } } }`);
      const twoFields = collect(client, `subscription { a: jobUpdated(ref: { service: WORKSPACE, jobId: "x" }) { state } b: jobUpdated(ref: { service: WORKSPACE, jobId: "y" }) { state } }`);
      for (const sub of [deep, twoFields]) {
        const outcome = await sub.done;
        const errors = outcome.error as Array<{ message: string; extensions?: Record<string, any> }>;
        expect(errors[0]!.extensions!['code']).toBe('BAD_USER_INPUT');
      }
      expect(t.sim.calls.count()).toBe(0);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a request body over MAX_REQUEST_BYTES with a JSON error', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(300_000) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringContaining('MAX_REQUEST_BYTES'), extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('answers malformed JSON with a JSON error', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses batched HTTP requests', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) });
    expect(res.status).toBe(400);
  });
});

describe('health and metrics', () => {
  const base = () => t.url.replace(/\/graphql$/, '');

  it('GET /healthz and /readyz answer while running', async () => {
    expect(await (await fetch(`${base()}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('GET /metrics exposes upstream, loader, operation, error, breaker and subscription metrics', async () => {
    await t.gql(`query($refs: [JobRef!]!) { jobs(refs: $refs) { jobId } }`, {
      refs: [{ service: 'WORKSPACE', jobId: DEMO.workspace.success }, { service: 'CLOUD_PHONE', jobId: DEMO.cloudPhone.success }],
    });
    await t.gql(`{ job(ref: { service: WORKSPACE, jobId: "" }) { jobId } }`);
    const res = await fetch(`${base()}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/upstream_requests_total\{service="WORKSPACE",route="workspace.showJob",status="200"\} \d+/);
    expect(text).toMatch(/upstream_request_duration_seconds_bucket\{le="0.005",service="WORKSPACE",route="workspace.showJob"\}/);
    expect(text).toMatch(/loader_batch_size_count\{loader="job"\} \d+/);
    expect(text).toMatch(/graphql_operations_total\{type="query"\} \d+/);
    expect(text).toMatch(/graphql_errors_total\{code="BAD_USER_INPUT"\} \d+/);
    expect(text).toMatch(/upstream_circuit_state\{host="127.0.0.1:\d+"\} 0/);
    expect(text).toMatch(/subscription_pollers \d+/);
    expect(text).toMatch(/subscription_subscribers \d+/);
    expect(text).toContain('upstream_retries_total');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('/readyz turns 503 while shutting down', async () => {
    const other = await startTestServer();
    const base2 = other.url.replace(/\/graphql$/, '');
    const closing = other.close();
    // The HTTP server drains; a request on a kept-alive connection may still land before it closes.
    const res = await fetch(`${base2}/readyz`).catch(() => null);
    if (res) expect(res.status).toBe(503);
    await closing;
  });
});

describe('introspection and masking', () => {
  it('introspection is on with the simulator and off against the real cloud by default', async () => {
    expect((await t.gql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const cloud = await startTestServer({ UPSTREAM: 'huaweicloud', HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4: t.sim.url }, { simulator: t.sim });
    try {
      const res = await cloud.gql('{ __schema { queryType { name } } }');
      expect(code(res)).toBe('BAD_USER_INPUT');
      // No "Did you mean" hints either when the schema is private.
      const typo = await cloud.gql('{ jobz }');
      expect(typo.errors![0]!.message).not.toMatch(/Did you mean/);
    } finally {
      await cloud.close();
    }
  });
});

describe('log redaction', () => {
  it('redacts credential-shaped fields even if code ever logs them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } }));
    logger.info({ headers: { authorization: 'SDK-HMAC-SHA256 Access=AK, Signature=abc', 'x-auth-token': 'tok-123' }, sk: 'secret-sk', token: 'tok-456' }, 'x');
    const line = lines.join('');
    for (const secret of ['Signature=abc', 'tok-123', 'secret-sk', 'tok-456']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});
