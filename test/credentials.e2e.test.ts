/**
 * Credentials (docs/architecture.md#credentials) in real-cloud mode: the server runs with UPSTREAM=huaweicloud and the official
 * SDK endpoint overrides pointing at a separate simulator, exactly as a user would point it at a test gateway.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const TOKEN_ALL = 'token-alpha-0123456789-secret';
const TOKEN_OTHER_PROJECT = 'token-beta-9876543210-secret';
const AK = 'AKTEST00000000000001';
const SK = 'sk-test-secret-value-do-not-leak';
const QUERY = `{ job(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.success}" }) { jobId state } }`;

let sim: Simulator;
const overrides = (url: string) =>
  Object.fromEntries(['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'].map((s) => [`HUAWEICLOUD_SDK_REGION_${s}_CN_NORTH_4`, url]));

beforeAll(async () => {
  sim = await createSimulator({
    tokens: { [TOKEN_ALL]: { projects: '*' }, [TOKEN_OTHER_PROJECT]: { projects: ['ffffffffffffffffffffffffffffffff'] } },
    accessKeys: [{ ak: AK, sk: SK }],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.calls.reset());

describe('without service credentials', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ UPSTREAM: 'huaweicloud', HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, ...overrides(sim.url) }, { simulator: sim });
  });
  afterAll(() => t.close());

  it('never starts the embedded simulator against the real cloud', () => {
    expect(t.server.simulator).toBeNull();
  });

  it('fails with UNAUTHENTICATED before any upstream call when no token is sent', async () => {
    const res = await t.gql(QUERY);
    expect(res.errors![0]!.extensions!['code']).toBe('UNAUTHENTICATED');
    expect(sim.calls.count()).toBe(0);
  });

  it('forwards the client token upstream as X-Auth-Token (header name case-insensitive)', async () => {
    const res = await t.gql(QUERY, {}, { 'x-auth-token': TOKEN_ALL });
    expect(res.data!['job']).toEqual({ jobId: DEMO.workspace.success, state: 'SUCCEEDED' });
    expect(sim.calls.list().map((c) => c.authKind)).toEqual(['token']);
  });

  it('never serves one credential’s data to another', async () => {
    expect((await t.gql(QUERY, {}, { 'X-Auth-Token': TOKEN_ALL })).data!['job']).not.toBeNull();
    const other = await t.gql(QUERY, {}, { 'X-Auth-Token': TOKEN_OTHER_PROJECT });
    expect(other.data!['job']).toBeNull();
    expect(other.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
    expect(sim.calls.count()).toBe(2);
    const [first, second] = sim.calls.list();
    expect(first!.credential).not.toBe(second!.credential);
  });
});

describe('with service credentials (AK/SK)', () => {
  let t: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    t = await startTestServer(
      {
        UPSTREAM: 'huaweicloud',
        HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId,
        HUAWEICLOUD_SDK_AK: AK,
        HUAWEICLOUD_SDK_SK: SK,
        ...overrides(sim.url),
      },
      { simulator: sim, logger: createLogger('trace', sink) },
    );
  });
  afterAll(() => t.close());

  it('signs every upstream call with SDK-HMAC-SHA256', async () => {
    const res = await t.gql(QUERY);
    expect(res.data!['job']).toEqual({ jobId: DEMO.workspace.success, state: 'SUCCEEDED' });
    expect(sim.calls.list().map((c) => [c.authKind, c.credential])).toEqual([['aksk', `ak:${AK}`]]);
  });

  it('prefers a client token over the service credentials', async () => {
    await t.gql(QUERY, {}, { 'X-Auth-Token': TOKEN_ALL });
    expect(sim.calls.list().map((c) => c.authKind)).toEqual(['token']);
  });

  it('leaks no secret into responses or logs, on success or failure', async () => {
    const bodies = [
      await t.gql(QUERY),
      await t.gql(QUERY, {}, { 'X-Auth-Token': TOKEN_ALL }),
      await t.gql(QUERY, {}, { 'X-Auth-Token': `${TOKEN_ALL}-revoked` }),
      await t.gql(QUERY, {}, { 'X-Auth-Token': TOKEN_OTHER_PROJECT }),
    ].map((r) => JSON.stringify(r));
    const everything = bodies.join('\n') + lines.join('');
    expect(lines.length).toBeGreaterThan(0); // the trace logger did write
    for (const secret of [SK, TOKEN_ALL, TOKEN_OTHER_PROJECT, 'Signature=', 'SDK-HMAC-SHA256 ']) {
      expect(everything).not.toContain(secret);
    }
  });
});
