/**
 * Apollo's HTTP callback subscription protocol v1.0 (issue 16): every message and status at the protocol level
 * against a real HTTP receiver (test/support/callback-receiver.ts), and end to end through Hive Gateway's
 * `http-callback` transport.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { MemPubSub } from '@graphql-hive/pubsub';
import httpTransport from '@graphql-mesh/transport-http';
import httpCallbackTransport from '@graphql-mesh/transport-http-callback';
import { composeSupergraph, subgraphSdl, SUBGRAPH_NAME } from '../src/federation/supergraph.js';
import { Redis } from 'ioredis';
import { createSimulator, DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { uniquePrefix } from './support/replicas.js';
import { startCallbackReceiver, type CallbackReceiver, type Received } from './support/callback-receiver.js';
import { collect, sseEvents, wsClient } from './support/subscriptions.js';
import { addGaussDbJob } from './support/jobs.js';

const INTERVAL = 150;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CALLBACK_ACCEPT = 'application/json;callbackSpec=1.0';

let receiver: CallbackReceiver;
let t: TestServer;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  t = await startTestServer({
    POLL_INTERVAL_MS: String(INTERVAL),
    SUBSCRIPTION_CALLBACK_URLS: `${receiver.origin}/callback`,
    UPSTREAM_TIMEOUT_MS: '500',
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});
beforeEach(() => {
  t.sim.calls.reset();
  t.sim.faults.clear();
  receiver.received.length = 0;
  receiver.answer = () => 204;
});
afterEach(async () => {
  // Every test leaves no poller behind: subscriptions it started have ended.
  for (let i = 0; i < 100 && t.server.pollers.size > 0; i++) await sleep(20);
  expect(t.server.pollers.size).toBe(0);
});

/** A GaussDB task: Running 10% → 20% → Completed. */
const addProgressingJob = (server: TestServer = t, steps = [600, 1200]) =>
  addGaussDbJob(server.sim, [
    { afterMs: steps[0]!, process: 20 },
    { afterMs: steps[1]!, status: 'Completed' },
  ]);

const JOB_UPDATED = (jobId: string) => `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { state progress } }`;

interface SubscribeOptions {
  server?: TestServer;
  callbackUrl?: string;
  id?: string;
  heartbeatIntervalMs?: number;
  token?: string | null;
  accept?: string;
  extensions?: unknown;
}

/** The request a router sends to subscribe in callback mode. */
async function subscribeByCallback(query: string, options: SubscribeOptions = {}) {
  const id = options.id ?? randomUUID();
  const verifier = `verifier-${id}`;
  const server = options.server ?? t;
  const res = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: options.accept ?? CALLBACK_ACCEPT,
      ...(options.token === null ? {} : { 'x-auth-token': options.token ?? DEMO.token }),
    },
    body: JSON.stringify({
      query,
      extensions: options.extensions ?? {
        subscription: {
          callbackUrl: options.callbackUrl ?? `${receiver.origin}/callback/${id}`,
          subscriptionId: id,
          verifier,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 0,
        },
      },
    }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  return { id, verifier, status: res.status, body };
}

const actions = (messages: Received[]) => messages.map((m) => m.body.action);
const ended = (messages: Received[]) => messages.some((m) => m.body.action === 'complete');

describe('a callback subscription, message by message', () => {
  it('checks before answering, then sends next per visible change and complete at the terminal state', async () => {
    const jobId = addProgressingJob();
    const { id, verifier, status, body } = await subscribeByCallback(JOB_UPDATED(jobId));
    expect(status).toBe(200);
    expect(body).toEqual({ data: null });
    const messages = await receiver.waitFor(id, ended);
    expect(actions(messages)).toEqual(['check', 'next', 'next', 'next', 'complete']);
    // The check came before our answer, at the callback URL, with the protocol's header and nothing of ours.
    for (const m of messages) {
      expect(m.path).toBe(`/callback/${id}`);
      expect(m.headers['subscription-protocol']).toBe('callback/1.0');
      expect(m.headers['content-type']).toBe('application/json');
      expect(m.headers['x-auth-token']).toBeUndefined();
      expect(m.headers['authorization']).toBeUndefined();
    }
    expect(messages[0]!.body).toEqual({ kind: 'subscription', action: 'check', id, verifier });
    expect(messages.slice(1, 4).map((m) => m.body)).toEqual([
      { kind: 'subscription', action: 'next', id, verifier, payload: { data: { jobUpdated: { state: 'RUNNING', progress: 10 } } } },
      { kind: 'subscription', action: 'next', id, verifier, payload: { data: { jobUpdated: { state: 'RUNNING', progress: 20 } } } },
      { kind: 'subscription', action: 'next', id, verifier, payload: { data: { jobUpdated: { state: 'SUCCEEDED', progress: 100 } } } },
    ]);
    expect(messages[4]!.body).toEqual({ kind: 'subscription', action: 'complete', id, verifier });
  });

  it('sends check heartbeats within every heartbeatIntervalMs while the job runs', async () => {
    const jobId = addProgressingJob(t, [5000, 6000]);
    // An interval long enough that a loaded 2-core machine's timer delays cannot eat the margin.
    const { id, status } = await subscribeByCallback(JOB_UPDATED(jobId), { heartbeatIntervalMs: 1000 });
    expect(status).toBe(200);
    await sleep(3300);
    const messages = receiver.of(id);
    const checks = messages.filter((m) => m.body.action === 'check');
    expect(checks.length).toBeGreaterThanOrEqual(4); // the first check, then one at least every 1000 ms
    const gaps = messages.slice(1).map((m, i) => m.at - messages[i]!.at);
    expect(Math.max(...gaps, 0)).toBeLessThan(1000);
    // The router ends it: the next heartbeat gets 404, and the poller is freed with no further call.
    receiver.answer = () => 404;
    await receiver.waitFor(id, (ms) => ms.length > messages.length);
    for (let i = 0; i < 50 && t.server.pollers.size > 0; i++) await sleep(20);
    expect(t.server.pollers.size).toBe(0);
    const count = receiver.of(id).length;
    await sleep(400);
    expect(receiver.of(id)).toHaveLength(count);
    expect(actions(receiver.of(id))).not.toContain('complete');
  });

  it('a router answering 404 to next ends the subscription and frees its poller, with no complete', async () => {
    const jobId = addProgressingJob();
    receiver.answer = (m) => (m.action === 'next' ? 404 : 204);
    const { id, status } = await subscribeByCallback(JOB_UPDATED(jobId));
    expect(status).toBe(200);
    await receiver.waitFor(id, (ms) => ms.length >= 2);
    for (let i = 0; i < 50 && t.server.pollers.size > 0; i++) await sleep(20);
    expect(t.server.pollers.size).toBe(0);
    await sleep(700); // the job changes meanwhile: nothing more is sent
    expect(actions(receiver.of(id))).toEqual(['check', 'next']);
  });

  it('a router answering 500 or 400 to next ends the subscription too (no retry)', async () => {
    for (const failure of [500, 400]) {
      const jobId = addProgressingJob();
      receiver.answer = (m) => (m.action === 'next' ? failure : 204);
      const { id, status } = await subscribeByCallback(JOB_UPDATED(jobId));
      expect(status).toBe(200);
      await receiver.waitFor(id, (ms) => ms.length >= 2);
      for (let i = 0; i < 50 && t.server.pollers.size > 0; i++) await sleep(20);
      expect(t.server.pollers.size).toBe(0);
      await sleep(300);
      expect(actions(receiver.of(id))).toEqual(['check', 'next']);
    }
  });

  it('accepts 200 as well as 204 to next and complete', async () => {
    const jobId = addProgressingJob(t, [200, 400]);
    receiver.answer = (m) => (m.action === 'check' ? 204 : 200);
    const { id } = await subscribeByCallback(JOB_UPDATED(jobId));
    expect(actions(await receiver.waitFor(id, ended))).toEqual(['check', 'next', 'next', 'next', 'complete']);
  });
});

describe('a check that is not confirmed refuses the request with 4xx and starts nothing', () => {
  for (const answer of [404, 400, 500, 200] as const) {
    it(`router answers ${answer}`, async () => {
      const jobId = addProgressingJob();
      receiver.answer = () => answer;
      const { id, status, body } = await subscribeByCallback(JOB_UPDATED(jobId));
      expect(status).toBe(400);
      expect(body.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.message).toContain(`answered ${answer}`);
      expect(actions(receiver.of(id))).toEqual(['check']);
      expect(t.server.pollers.size).toBe(0);
      expect(t.sim.calls.count({ jobId })).toBe(0);
    });
  }

  it('router does not answer within the timeout (UPSTREAM_TIMEOUT_MS)', async () => {
    const jobId = addProgressingJob();
    receiver.answer = () => 'hang';
    const started = Date.now();
    const { status, body } = await subscribeByCallback(JOB_UPDATED(jobId));
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toContain('did not answer');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(t.sim.calls.count({ jobId })).toBe(0);
  });
});

describe('refused before any outbound request', () => {
  const refusedWithoutCall = async (options: SubscribeOptions, expected: { status: number; code: string; message?: string }) => {
    const jobId = addProgressingJob();
    const { status, body } = await subscribeByCallback(JOB_UPDATED(jobId), options);
    expect(status).toBe(expected.status);
    expect(body.errors![0]!.extensions!['code']).toBe(expected.code);
    if (expected.message) expect(body.errors![0]!.message).toContain(expected.message);
    expect(receiver.received).toHaveLength(0);
    expect(t.sim.calls.count({ jobId })).toBe(0);
  };

  it('a callbackUrl outside SUBSCRIPTION_CALLBACK_URLS (SSRF guard)', async () => {
    const outside = [
      'http://169.254.169.254/latest/meta-data/',
      `${receiver.origin}/callbackevil/1`,
      `${receiver.origin}/callback/../admin`,
      `${receiver.origin}/callback%2f..%2fadmin`,
      `${receiver.origin.replace('127.0.0.1', 'localhost')}/callback/1`,
      `${receiver.origin}@169.254.169.254/callback/1`,
      `http://user:pw@${receiver.origin.slice(7)}/callback/1`,
      'file:///etc/passwd',
      'not a url',
    ];
    for (const callbackUrl of outside) {
      await refusedWithoutCall({ callbackUrl }, { status: 400, code: 'BAD_USER_INPUT', message: 'SUBSCRIPTION_CALLBACK_URLS' });
    }
  });

  it('a malformed extensions.subscription', async () => {
    const sub = { callbackUrl: `${receiver.origin}/callback/x`, subscriptionId: 'x', verifier: 'v', heartbeatIntervalMs: 0 };
    for (const extensions of [{}, { subscription: 'x' }, { subscription: { ...sub, subscriptionId: '' } }, { subscription: { ...sub, verifier: 5 } }, { subscription: { ...sub, heartbeatIntervalMs: 5 } }, { subscription: { ...sub, heartbeatIntervalMs: -1 } }]) {
      await refusedWithoutCall({ extensions }, { status: 400, code: 'BAD_USER_INPUT' });
    }
  });

  it('an invalid operation, with the same limits and codes as other transports', async () => {
    const { status, body } = await subscribeByCallback('subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "x" }) { nope } }');
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
    const deep = `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "x" }) { ${'a: state '.repeat(2000)} } }`;
    const tooBig = await subscribeByCallback(deep);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(receiver.received).toHaveLength(0);
  });

  it('no credential (no token, no AK/SK): UNAUTHENTICATED', async () => {
    const bare = await startTestServer({ UPSTREAM: 'huaweicloud', SUBSCRIPTION_CALLBACK_URLS: `${receiver.origin}/callback/` });
    try {
      const { status, body } = await subscribeByCallback(JOB_UPDATED('f0000000-0000-4000-8000-000000000001'), { server: bare, token: null });
      expect(status).toBe(401);
      expect(body.errors![0]!.extensions!['code']).toBe('UNAUTHENTICATED');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await bare.close();
    }
  });
});

describe('credentials and shared pollers', () => {
  it('a callback subscriber and a graphql-ws subscriber of one job share one poller: one upstream call per interval', async () => {
    const jobId = addProgressingJob(t, [1500, 3000]);
    const client: Client = wsClient(t.url, { 'X-Auth-Token': DEMO.token });
    try {
      const ws = collect(client, JOB_UPDATED(jobId));
      await ws.waitFor(1);
      const { id, status } = await subscribeByCallback(JOB_UPDATED(jobId));
      expect(status).toBe(200);
      await receiver.waitFor(id, (ms) => ms.length >= 2);
      expect(t.server.pollers.size).toBe(1);
      t.sim.calls.reset();
      await sleep(INTERVAL * 6);
      const calls = t.sim.calls.count({ jobId });
      expect(calls).toBeGreaterThanOrEqual(4);
      expect(calls).toBeLessThanOrEqual(7);
      ws.unsubscribe();
      receiver.answer = () => 404;
      await receiver.waitFor(id, (ms) => ms.length >= 3); // the next change, refused: ended
    } finally {
      await client.dispose();
    }
  });

  it('subscribers with different credentials are kept apart: one poller each, each polled with its own', async () => {
    const jobId = addProgressingJob(t, [400, 800]);
    const withToken = await subscribeByCallback(JOB_UPDATED(jobId));
    const withKeys = await subscribeByCallback(JOB_UPDATED(jobId), { token: null });
    expect([withToken.status, withKeys.status]).toEqual([200, 200]);
    expect(t.server.pollers.size).toBe(2);
    await receiver.waitFor(withToken.id, ended);
    await receiver.waitFor(withKeys.id, ended);
    expect(new Set(t.sim.calls.list({ jobId }).map((c) => c.authKind))).toEqual(new Set(['token', 'aksk']));
  });

  it('a ref the resolver refuses answers with its error after the check, and starts nothing', async () => {
    const { id, status, body } = await subscribeByCallback('subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "" }) { state } }');
    expect(status).toBe(200);
    expect(body.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(actions(receiver.of(id))).toEqual(['check']);
  });

  it('an upstream error reaches the router as a next with the formatted error, then complete', async () => {
    const jobId = addProgressingJob();
    t.sim.faults.add({ route: 'gaussdb.showJob', status: 403 });
    const { id, verifier, status } = await subscribeByCallback(JOB_UPDATED(jobId));
    expect(status).toBe(200);
    const messages = await receiver.waitFor(id, ended);
    expect(actions(messages)).toEqual(['check', 'next', 'complete']);
    expect(messages[1]!.body.payload!.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', upstream: { service: 'GAUSSDB_MYSQL', httpStatus: 403 } });
    expect(messages[2]!.body).toEqual({ kind: 'subscription', action: 'complete', id, verifier });
  });

  it('a query sent with the callbackSpec Accept header answers as a query', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: CALLBACK_ACCEPT, 'x-auth-token': DEMO.token },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    expect(receiver.received).toHaveLength(0);
  });
});

describe('limits and lifecycle', () => {
  it('callback mode is off by default: BAD_USER_INPUT and no outbound request', async () => {
    const off = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL) });
    try {
      const jobId = addProgressingJob(off);
      const { status, body } = await subscribeByCallback(JOB_UPDATED(jobId), { server: off });
      expect(status).toBe(400);
      expect(body.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.message).toContain('SUBSCRIPTION_CALLBACK_URLS');
      expect(receiver.received).toHaveLength(0);
      expect(off.sim.calls.count({ jobId })).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('MAX_CONNECTIONS counts callback subscriptions: beyond it 503 before any outbound request', async () => {
    const small = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), MAX_CONNECTIONS: '1', SUBSCRIPTION_CALLBACK_URLS: `${receiver.origin}/callback/` });
    try {
      const first = await subscribeByCallback(JOB_UPDATED(addProgressingJob(small, [5000, 6000])), { server: small });
      expect(first.status).toBe(200);
      const before = receiver.received.length;
      const second = await subscribeByCallback(JOB_UPDATED(addProgressingJob(small, [5000, 6000])), { server: small });
      expect(second.status).toBe(503);
      expect(second.body.errors![0]!.extensions!['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(receiver.received.length).toBe(before);
      expect(receiver.of(second.id)).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it('close() sends complete, with a shutdown error, to every callback subscription', async () => {
    const closing = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), SUBSCRIPTION_CALLBACK_URLS: `${receiver.origin}/callback/` });
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await subscribeByCallback(JOB_UPDATED(addProgressingJob(closing, [5000, 6000])), { server: closing }));
    expect(subs.map((s) => s.status)).toEqual([200, 200, 200]);
    for (const s of subs) await receiver.waitFor(s.id, (ms) => ms.length >= 2);
    await closing.close();
    for (const s of subs) {
      const last = receiver.of(s.id).at(-1)!.body;
      expect(last).toEqual({
        kind: 'subscription',
        action: 'complete',
        id: s.id,
        verifier: s.verifier,
        errors: [{ message: 'Server is shutting down', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }],
      });
    }
    expect(closing.server.pollers.size).toBe(0);
  });
});

describe('through Hive Gateway (http-callback transport)', () => {
  let subgraph: TestServer;
  let gatewayServer: http.Server;
  let gateway: GatewayRuntime;

  beforeAll(async () => {
    // The gateway's callback endpoint must exist before the subgraph can allow it: listen first, serve later.
    let serve: http.RequestListener = (_req, res) => res.writeHead(503).end();
    gatewayServer = http.createServer((req, res) => serve(req, res));
    await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
    const gatewayOrigin = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}`;
    subgraph = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), SUBSCRIPTION_CALLBACK_URLS: `${gatewayOrigin}/callback/` });
    gateway = createGatewayRuntime({
      supergraph: composeSupergraph([{ name: SUBGRAPH_NAME, url: subgraph.url, sdl: subgraphSdl() }]),
      transports: { http: httpTransport, 'http-callback': httpCallbackTransport },
      pubsub: new MemPubSub(),
      webhooks: true, // the gateway's callback endpoint
      transportEntries: {
        [SUBGRAPH_NAME]: {
          options: {
            subscriptions: {
              kind: 'http-callback',
              // The client's token travels to the subgraph as X-Auth-Token, as for queries (README shows the same config).
              headers: [['X-Auth-Token', '{context.headers.x-auth-token}']],
              // public_url includes the path (the receiving endpoint), as the transport documents.
              options: { public_url: `${gatewayOrigin}/callback`, path: '/callback', heartbeat_interval: 1000 },
            },
          },
        },
      },
      logging: false,
    });
    // The gateway runtime is a Node.js request listener (whatwg-node's server adapter).
    serve = gateway as unknown as http.RequestListener;
    // Warm up (the first request loads the supergraph), so the jobs' timelines below are not outrun by it.
    await gateway.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  });
  afterAll(async () => {
    await gateway?.dispose();
    await new Promise<void>((resolve) => (gatewayServer ? gatewayServer.close(() => resolve()) : resolve()));
    await subgraph?.close();
  });

  it('delivers the current state and each change, and completes at the terminal state', async () => {
    const jobId = addProgressingJob(subgraph, [700, 1400]);
    const res = await fetch(`http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': DEMO.token },
      body: JSON.stringify({ query: JOB_UPDATED(jobId) }),
    });
    expect(res.status).toBe(200);
    const text = await res.text(); // the stream ends when the subscription completes
    const events = sseEvents(text);
    expect(events.filter((e) => e.errors)).toEqual([]);
    expect(events.filter((e) => e.data?.['jobUpdated']).map((e) => e.data!['jobUpdated'])).toEqual([
      { state: 'RUNNING', progress: 10 },
      { state: 'RUNNING', progress: 20 },
      { state: 'SUCCEEDED', progress: 100 },
    ]);
    // Polled with the client's token, not the server's AK/SK; the poller is gone.
    expect(new Set(subgraph.sim.calls.list({ jobId }).map((c) => c.authKind))).toEqual(new Set(['token']));
    expect(subgraph.server.pollers.size).toBe(0);
  });

  it('our heartbeats keep a quiet subscription alive past the gateway’s heartbeat timeout; a client leaving frees the poller', async () => {
    const jobId = addProgressingJob(subgraph, [2500, 60_000]); // quiet for 2.5 s, 2.5 times the gateway's 1 s timeout
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': DEMO.token },
      body: JSON.stringify({ query: JOB_UPDATED(jobId) }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('"progress":20')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).not.toContain('errors');
    expect(text).toContain('"progress":10');
    expect(text).toContain('"progress":20');
    expect(subgraph.server.pollers.size).toBe(1);
    // The client goes away: the gateway forgets the subscription and answers the next callback with 404.
    abort.abort();
    await reader.cancel().catch(() => undefined);
    for (let i = 0; i < 100 && subgraph.server.pollers.size > 0; i++) await sleep(20);
    expect(subgraph.server.pollers.size).toBe(0);
  });
});

describe('across replicas sharing Redis', () => {
  it('each replica sends the messages of the callback subscriptions it accepted, fed by one cluster-wide poller', async () => {
    const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const prefix = uniquePrefix();
    const sim = await createSimulator();
    const env = { POLL_INTERVAL_MS: String(INTERVAL), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, SUBSCRIPTION_CALLBACK_URLS: `${receiver.origin}/callback/` };
    const replicas = [await startTestServer(env, { simulator: sim }), await startTestServer(env, { simulator: sim })];
    try {
      const jobId = addProgressingJob(replicas[0], [60_000, 120_000]);
      const subs = [];
      for (const server of replicas) subs.push(await subscribeByCallback(JOB_UPDATED(jobId), { server }));
      expect(subs.map((s) => s.status)).toEqual([200, 200]);
      for (const s of subs) await receiver.waitFor(s.id, (ms) => ms.length >= 2);
      sim.calls.reset();
      await sleep(INTERVAL * 8);
      const polls = sim.calls.count({ jobId });
      expect(polls).toBeGreaterThanOrEqual(5);
      expect(polls).toBeLessThanOrEqual(10); // one poller for the cluster, not one per replica (16)
      sim.store.update('gaussdb', DEMO.projectId, jobId, { status: 'Completed' });
      for (const s of subs) {
        const messages = await receiver.waitFor(s.id, ended);
        expect(actions(messages)).toEqual(['check', 'next', 'next', 'complete']);
        expect(messages[2]!.body.payload).toEqual({ data: { jobUpdated: { state: 'SUCCEEDED', progress: 100 } } });
      }
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await sim.close();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
