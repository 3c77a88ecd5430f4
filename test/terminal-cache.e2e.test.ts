/** The terminal-job cache: hits for terminal jobs only, per credential, bounded by a TTL. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient } from './support/subscriptions.js';

const TOKEN_A = 'cache-token-a-0000';
const TOKEN_B = 'cache-token-b-1111';
const TOKEN_DENIED = 'cache-token-denied-2222';
const q = (service: string, jobId: string) => `{ job(ref: { service: ${service}, jobId: "${jobId}" }) { jobId state terminal } }`;

let sim: Simulator;
let t: TestServer;
beforeAll(async () => {
  sim = await createSimulator({
    tokens: { [TOKEN_A]: { projects: '*' }, [TOKEN_B]: { projects: '*' }, [TOKEN_DENIED]: { projects: [] } },
  });
  const overrides = Object.fromEntries(['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'].map((s) => [`HUAWEICLOUD_SDK_REGION_${s}_CN_NORTH_4`, sim.url]));
  t = await startTestServer(
    { UPSTREAM: 'huaweicloud', HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, TERMINAL_CACHE_MAX: '1000', TERMINAL_CACHE_TTL_MS: '600', ...overrides },
    { simulator: sim },
  );
});
afterAll(async () => {
  await t.close();
  await sim.close();
});
beforeEach(() => sim.calls.reset());

const as = (token: string) => ({ 'X-Auth-Token': token });

const operations = async () => {
  const text = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/graphql_operations_total\{type="query"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('response cache (operations made only of terminal jobs)', () => {
  const both = `{ a: job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.failed}" }) { jobId state error { code } }
    b: jobs(refs: [{ service: CLOUD_PHONE, jobId: "${DEMO.cloudPhone.success}" }]) { jobId terminal } }`;

  it('answers a repeated terminal-only operation without running GraphQL or calling upstream', async () => {
    const first = await t.gql(both, {}, as(TOKEN_A));
    const before = await operations();
    const again = await t.gql(both, {}, as(TOKEN_A));
    expect(again).toEqual(first);
    expect(first.errors).toBeUndefined();
    expect(await operations()).toBe(before); // served before Apollo
    expect(sim.calls.count()).toBe(2);
  });

  it('answers bad bodies on the fast path like the rest of the API', async () => {
    const post = (body: string) => fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...as(TOKEN_A) }, body });
    const malformed = await post('{"query": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const huge = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }));
    expect(huge.status).toBe(413);
    expect((await huge.json()).errors[0].message).toContain('MAX_REQUEST_BYTES');
  });

  it('never serves a cached response to another credential', async () => {
    await t.gql(both, {}, as(TOKEN_A));
    const denied = await t.gql(both, {}, as(TOKEN_DENIED));
    expect(denied.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
  });

  it('does not cache an operation that touches a running or missing job, a listing, or an error', async () => {
    for (const query of [
      `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.running}" }) { state } }`,
      `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "00000000-0000-4000-8000-00000000dead" }) { state } }`,
      `{ workspaceSubJobs(status: "FAILED") { totalCount } }`,
      `{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.failed}" }) { state } x: job(ref: { service: WORKSPACE, jobId: "" }) { state } }`,
    ]) {
      await t.gql(query, {}, as(TOKEN_B));
      const before = await operations();
      await t.gql(query, {}, as(TOKEN_B));
      expect(await operations()).toBe(before + 1);
    }
  });
});

describe('terminal-job cache', () => {
  it('serves a terminal job from memory after the first fetch', async () => {
    const first = await t.gql(q('CLOUD_PHONE', DEMO.cloudPhone.failed), {}, as(TOKEN_A));
    const second = await t.gql(q('CLOUD_PHONE', DEMO.cloudPhone.failed), {}, as(TOKEN_A));
    expect(second).toEqual(first);
    expect(first.data!['job']).toMatchObject({ terminal: true });
    expect(sim.calls.count()).toBe(1);
  });

  it('never caches a job that can still change', async () => {
    for (let i = 0; i < 3; i++) await t.gql(q('GAUSSDB_MYSQL', DEMO.gaussdb.running), {}, as(TOKEN_A));
    expect(sim.calls.count()).toBe(3);
  });

  it('keeps credentials apart: another token fetches for itself, a denied one is denied', async () => {
    await t.gql(q('WORKSPACE', DEMO.workspace.success), {}, as(TOKEN_A));
    await t.gql(q('WORKSPACE', DEMO.workspace.success), {}, as(TOKEN_B));
    expect(sim.calls.count()).toBe(2);
    const denied = await t.gql(q('WORKSPACE', DEMO.workspace.success), {}, as(TOKEN_DENIED));
    expect(denied.data!['job']).toBeNull();
    expect(denied.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
  });

  it('forgets entries after the TTL, so revoked access stops being honored', async () => {
    await t.gql(q('GAUSSDB_MYSQL', DEMO.gaussdb.completed), {}, as(TOKEN_A));
    await t.gql(q('GAUSSDB_MYSQL', DEMO.gaussdb.completed), {}, as(TOKEN_A));
    expect(sim.calls.count()).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    await t.gql(q('GAUSSDB_MYSQL', DEMO.gaussdb.completed), {}, as(TOKEN_A));
    expect(sim.calls.count()).toBe(2);
  });

  it('a new subscriber to a cached terminal job gets it at once, without an upstream call, and completes', async () => {
    await t.gql(q('APP_STREAMING', DEMO.appStreaming.success), {}, as(TOKEN_A));
    sim.calls.reset();
    const client = wsClient(t.url, { 'X-Auth-Token': TOKEN_A });
    try {
      const sub = collect(client, `subscription { jobUpdated(ref: { service: APP_STREAMING, jobId: "${DEMO.appStreaming.success}" }) { state } }`);
      expect(await sub.done).toEqual({});
      expect(sub.messages.map((m) => m.data)).toEqual([{ jobUpdated: { state: 'SUCCEEDED' } }]);
      expect(sim.calls.count()).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});
