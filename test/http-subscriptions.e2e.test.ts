/**
 * Subscriptions over plain HTTP (issue 16): GraphQL over SSE with the real graphql-sse client, and Apollo's
 * multipart protocol with Apollo Client 4's HttpLink, on the same shared pollers as graphql-ws. Raw `fetch`
 * checks the bytes each protocol promises; upstream calls are counted at the simulator.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../src/simulator/index.js';
import { scrape } from './support/processes.js';
import { CLOUD_TOKENS, cloudWithTokens, startTestServer, type TestServer } from './support/server.js';
import { collect, wsClient, type Collected } from './support/subscriptions.js';
import { multipartClient, sseClient, type DisposableClient } from './support/http-subscriptions.js';
import { addGaussDbJob } from './support/jobs.js';

const INTERVAL = 150;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const metricsUrl = (url: string) => url.replace(/\/graphql$/, '/metrics');
const SSE = 'text/event-stream';
const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';

let t: TestServer;
const clients: DisposableClient[] = [];
const track = <C extends DisposableClient>(c: C) => (clients.push(c), c);

beforeAll(async () => {
  t = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL) });
});
afterAll(() => t.close());
beforeEach(() => t.sim.calls.reset());
afterEach(async () => {
  clients.splice(0).forEach((c) => c.dispose());
  for (let i = 0; i < 100 && t.server.pollers.size > 0; i++) await sleep(20);
  expect(t.server.pollers.size).toBe(0);
});

/** A GaussDB task that runs 10% → 20% → Completed (steps far enough apart for a loaded machine). */
const addProgressingJob = () =>
  addGaussDbJob(t.sim, [
    { afterMs: 800, process: 20 },
    { afterMs: 1600, status: 'Completed' },
  ]);
const addRunningJob = (server: TestServer = t) => addGaussDbJob(server.sim, [], 5);
const JOB_UPDATED = (jobId: string) => `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${jobId}" }) { state progress } }`;
const PROGRESS = [
  { jobUpdated: { state: 'RUNNING', progress: 10 } },
  { jobUpdated: { state: 'RUNNING', progress: 20 } },
  { jobUpdated: { state: 'SUCCEEDED', progress: 100 } },
];
const dataOf = (sub: Collected) => sub.messages.map((m) => (m.data ? { jobUpdated: { state: m.data['jobUpdated'].state, progress: m.data['jobUpdated'].progress } } : m));

/** POSTs a subscription and reads the raw response until it ends or `readMs` passes. */
async function rawStream(url: string, accept: string, query: string, options: { readMs?: number; headers?: Record<string, string> } = {}) {
  const abort = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...options.headers },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  let text = '';
  const timer = options.readMs ? setTimeout(() => abort.abort(), options.readMs) : null;
  try {
    const decoder = new TextDecoder();
    for await (const chunk of res.body ?? []) text += decoder.decode(chunk as Uint8Array, { stream: true });
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text };
}

const COMPLETED_JOB_QUERY = `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${DEMO.gaussdb.completed}" }) { state } }`;
/** A query sent with a streaming Accept header gets Apollo's usual JSON answer. */
async function expectApolloAnswers(accept: string) {
  const res = await rawStream(t.url, accept, COMPLETED_JOB_QUERY);
  expect(res.status).toBe(200);
  expect(res.contentType).toMatch(/^application\/json/);
  expect(JSON.parse(res.text)).toEqual({ data: { job: { state: 'SUCCEEDED' } } });
}

async function followsToCompletion(client: DisposableClient) {
  const sub = collect(client, JOB_UPDATED(addProgressingJob()));
  expect(await sub.done).toEqual({});
  expect(dataOf(sub)).toEqual(PROGRESS);
}

/** The only subscriber of a job unsubscribes (its client aborts the request): the poller stops calling upstream. */
async function leavingStopsThePoller(client: DisposableClient) {
  const id = addRunningJob();
  const sub = collect(client, JOB_UPDATED(id));
  await sub.waitFor(1);
  expect(t.server.pollers.size).toBe(1);
  sub.unsubscribe();
  for (let i = 0; i < 50 && t.server.pollers.size > 0; i++) await sleep(20);
  expect(t.server.pollers.size).toBe(0);
  const calls = t.sim.calls.count({ jobId: id });
  await sleep(INTERVAL * 4);
  expect(t.sim.calls.count({ jobId: id })).toBe(calls);
}

/** SSE heartbeats (comment lines) fall between events wherever the shared timer ticks. */
const withoutHeartbeats = (text: string) => text.replace(/(^|\n\n)(:\n\n)+/g, '$1');

describe('GraphQL over SSE (graphql-sse client, distinct connections mode)', () => {
  it('sends the current state at once, then each change, then completes', () => followsToCompletion(track(sseClient(t.url))));

  it('frames next and complete as graphql-sse does, for POST and for GET with query params', async () => {
    const id = addProgressingJob();
    const post = await rawStream(t.url, SSE, JOB_UPDATED(id));
    expect(post.status).toBe(200);
    expect(post.contentType).toBe('text/event-stream; charset=utf-8');
    post.text = withoutHeartbeats(post.text);
    expect(post.text.startsWith('event: next\ndata: {"data":{"jobUpdated":{"state":"RUNNING","progress":10}}}\n\n')).toBe(true);
    expect(post.text.endsWith('event: next\ndata: {"data":{"jobUpdated":{"state":"SUCCEEDED","progress":100}}}\n\nevent: complete\ndata:\n\n')).toBe(true);

    const get = await fetch(`${t.url}?query=${encodeURIComponent(`subscription($id: ID!) { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: $id }) { state } }`)}&variables=${encodeURIComponent(JSON.stringify({ id }))}`, {
      headers: { accept: SSE },
    });
    expect(get.status).toBe(200);
    expect(withoutHeartbeats(await get.text())).toBe('event: next\ndata: {"data":{"jobUpdated":{"state":"SUCCEEDED"}}}\n\nevent: complete\ndata:\n\n');
  });

  it('refuses an invalid subscription with 400 and BAD_USER_INPUT before streaming, as graphql-sse does', async () => {
    const res = await rawStream(t.url, SSE, 'subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "x" }) { nope } }');
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    const body = JSON.parse(res.text) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.message).toContain('nope');
    expect(body.errors[0]!.extensions['code']).toBe('BAD_USER_INPUT');
    expect(t.sim.calls.count()).toBe(0);
  });

  it('sends a resolver refusal (bad ref) as a result with BAD_USER_INPUT, then completes', async () => {
    const sub = collect(track(sseClient(t.url)), `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "" }) { state } }`);
    expect(await sub.done).toEqual({});
    expect(sub.messages).toHaveLength(1);
    expect(sub.messages[0]!.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
    expect(t.sim.calls.count()).toBe(0);
  });

  it('leaves queries to Apollo, whatever the Accept header', async () => {
    expect((await rawStream(t.url, SSE, COMPLETED_JOB_QUERY)).status).toBe(406); // Apollo's answer when it cannot send JSON
    await expectApolloAnswers(`${SSE}, application/json`);
  });

  it('a client that goes away ends its subscription and stops the poller', () => leavingStopsThePoller(track(sseClient(t.url))));
});

describe('multipart HTTP (Apollo Client 4 HttpLink)', () => {
  it('sends the current state at once, then each change, then completes', () => followsToCompletion(track(multipartClient(t.url))));

  it('frames parts as Apollo’s protocol says, with the closing boundary on completion', async () => {
    for (const accept of [MULTIPART, 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json;q=0.9']) {
      const id = addProgressingJob();
      const res = await rawStream(t.url, accept, JOB_UPDATED(id));
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
      const part = (json: string) => `\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${json}`;
      // A heartbeat may fall anywhere (the timer is shared by every stream).
      const text = res.text.split(part('{}')).join('');
      const payload = (state: string, progress: number) => part(JSON.stringify({ payload: { data: { jobUpdated: { state, progress } } } }));
      expect(text).toBe(`${payload('RUNNING', 10)}${payload('RUNNING', 20)}${payload('SUCCEEDED', 100)}\r\n--graphql--\r\n`);
    }
  });

  it('sends a resolver refusal as a payload with BAD_USER_INPUT', async () => {
    const sub = collect(track(multipartClient(t.url)), `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "" }) { state } }`);
    expect(await sub.done).toEqual({});
    expect(sub.messages[0]!.errors![0]!.extensions!['code']).toBe('BAD_USER_INPUT');
  });

  it('leaves queries with a multipart Accept header to Apollo', () => expectApolloAnswers(MULTIPART));

  it('a client that goes away ends its subscription and stops the poller', () => leavingStopsThePoller(track(multipartClient(t.url))));
});

describe('one poller per job, whatever the transports', () => {
  it('graphql-ws, SSE and multipart subscribers of one job cost one upstream call per interval', async () => {
    const id = addRunningJob();
    const ws = wsClient(t.url);
    try {
      const subs = [
        collect(ws, JOB_UPDATED(id)),
        collect(track(sseClient(t.url)), JOB_UPDATED(id)),
        collect(track(sseClient(t.url)), JOB_UPDATED(id)),
        collect(track(multipartClient(t.url)), JOB_UPDATED(id)),
        collect(track(multipartClient(t.url)), JOB_UPDATED(id)),
      ];
      await Promise.all(subs.map((s) => s.waitFor(1)));
      expect(t.server.pollers.size).toBe(1);
      expect(t.server.pollers.subscriberCount).toBe(5);
      t.sim.calls.reset();
      await sleep(INTERVAL * 10);
      // ~10 ticks (jitter ±20%), not multiplied by the five subscribers.
      const calls = t.sim.calls.count({ jobId: id });
      expect(calls).toBeGreaterThanOrEqual(6);
      expect(calls).toBeLessThanOrEqual(14);
      expect(subs.every((s) => s.messages.length === 1)).toBe(true);
    } finally {
      await ws.dispose();
    }
  });
});

describe('credentials (the X-Auth-Token header)', () => {
  const { a: TOKEN_A, b: TOKEN_B, none: TOKEN_NONE } = CLOUD_TOKENS;
  const fixture = cloudWithTokens({ POLL_INTERVAL_MS: String(INTERVAL) });

  const q = `subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "${DEMO.workspace.running}" }) { state } }`;

  it('fails with UNAUTHENTICATED without a token, on either transport', async () => {
    for (const client of [sseClient(fixture.cloud.url), multipartClient(fixture.cloud.url)]) {
      const sub = collect(track(client), q);
      expect(await sub.done).toEqual({});
      expect(sub.messages[0]!.errors![0]!.extensions!['code']).toBe('UNAUTHENTICATED');
    }
  });

  it('polls with each request’s token, shares a poller only between the same credential, and keeps them apart', async () => {
    fixture.sim.calls.reset();
    const ws = wsClient(fixture.cloud.url, { 'X-Auth-Token': TOKEN_A });
    try {
      const a = [collect(ws, q), collect(track(sseClient(fixture.cloud.url, { 'x-auth-token': TOKEN_A })), q), collect(track(multipartClient(fixture.cloud.url, { 'X-Auth-Token': TOKEN_A })), q)];
      const b = [collect(track(sseClient(fixture.cloud.url, { 'X-Auth-Token': TOKEN_B })), q), collect(track(multipartClient(fixture.cloud.url, { 'x-auth-token': TOKEN_B })), q)];
      const denied = [collect(track(sseClient(fixture.cloud.url, { 'X-Auth-Token': TOKEN_NONE })), q), collect(track(multipartClient(fixture.cloud.url, { 'X-Auth-Token': TOKEN_NONE })), q)];
      await Promise.all([...a, ...b].map((s) => s.waitFor(1)));
      for (const d of denied) {
        await d.done;
        expect(d.messages[0]!.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
        expect(JSON.stringify(d.messages)).not.toContain(TOKEN_NONE);
      }
      for (const s of [...a, ...b]) expect(s.messages[0]!.data!['jobUpdated'].state).toBe('RUNNING');
      // Same job, two credentials that may see it: two pollers, whatever the transports.
      expect(fixture.cloud.server.pollers.size).toBe(2);
      expect(fixture.cloud.server.pollers.subscriberCount).toBe(5);
      await sleep(INTERVAL * 3);
      const tokens = new Set(fixture.sim.calls.list({}).map((c) => c.credential));
      expect(tokens.size).toBe(3); // A, B, and the refused one
    } finally {
      await ws.dispose();
      clients.splice(0).forEach((c) => c.dispose());
      for (let i = 0; i < 100 && fixture.cloud.server.pollers.size > 0; i++) await sleep(20);
    }
  });
});

describe('edges: heartbeat, MAX_CONNECTIONS, shutdown', () => {
  let edge: TestServer;
  beforeAll(async () => {
    edge = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL), KEEPALIVE_MS: '200', MAX_CONNECTIONS: '2' });
  });
  afterAll(() => edge.close());

  it('sends SSE comment heartbeats and multipart {} parts every KEEPALIVE_MS', async () => {
    const id = addRunningJob(edge);
    const [sse, multipart] = await Promise.all([
      rawStream(edge.url, SSE, JOB_UPDATED(id), { readMs: 1100 }),
      rawStream(edge.url, MULTIPART, JOB_UPDATED(id), { readMs: 1100 }),
    ]);
    expect(sse.text.split(':\n\n').length - 1).toBeGreaterThanOrEqual(3);
    const heartbeat = '\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}';
    expect(multipart.text.split(heartbeat).length - 1).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 50 && edge.server.pollers.size > 0; i++) await sleep(20);
    expect(edge.server.pollers.size).toBe(0);
  });

  it('refuses a stream beyond MAX_CONNECTIONS with 503 before streaming, counted by transport', async () => {
    const id = addRunningJob(edge);
    const held = [track(sseClient(edge.url)), track(multipartClient(edge.url))].map((c) => collect(c, JOB_UPDATED(id)));
    await Promise.all(held.map((s) => s.waitFor(1)));
    expect(await scrape(metricsUrl(edge.url), 'connections_open', 'transport="sse"')).toBe(1);
    expect(await scrape(metricsUrl(edge.url), 'connections_open', 'transport="multipart"')).toBe(1);
    const [sse, multipart] = await Promise.all([rawStream(edge.url, SSE, JOB_UPDATED(id)), rawStream(edge.url, MULTIPART, JOB_UPDATED(id))]);
    expect([sse.status, multipart.status]).toEqual([503, 503]);
    expect(sse.text).toContain('MAX_CONNECTIONS');
    expect(await scrape(metricsUrl(edge.url), 'connections_refused_total', 'transport="sse"')).toBe(1);
    expect(await scrape(metricsUrl(edge.url), 'connections_refused_total', 'transport="multipart"')).toBe(1);
    clients.splice(0).forEach((c) => c.dispose());
    for (let i = 0; i < 50 && (await scrape(metricsUrl(edge.url), 'connections_open')) > 0; i++) await sleep(20);
    expect(await scrape(metricsUrl(edge.url), 'connections_open')).toBe(0);
  });

  it('close() ends every stream with its protocol’s completion', async () => {
    const own = await startTestServer({ POLL_INTERVAL_MS: String(INTERVAL) });
    const id = addRunningJob(own);
    const sse = collect(sseClient(own.url), JOB_UPDATED(id));
    const multipart = collect(multipartClient(own.url), JOB_UPDATED(id));
    const raw = rawStream(own.url, MULTIPART, JOB_UPDATED(id));
    await Promise.all([sse.waitFor(1), multipart.waitFor(1)]);
    await sleep(100);
    await own.close();
    expect(await sse.done).toEqual({});
    expect(await multipart.done).toEqual({});
    expect((await raw).text.endsWith('\r\n--graphql--\r\n')).toBe(true);
    expect(own.server.pollers.size).toBe(0);
  });
});
