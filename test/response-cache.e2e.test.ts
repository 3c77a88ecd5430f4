/**
 * A response-cache hit is indistinguishable from Apollo's own answer except in time: for every Accept value and
 * header combination, the same request sent twice to a server with the cache on answers exactly as it does on
 * a server with the cache off (status, the headers that matter, body bytes), and requests the fast path cannot
 * reproduce (a federated trace, an Accept Apollo refuses) go through Apollo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../src/simulator/index.js';
import { startTestServer, type TestServer } from './support/server.js';

let on: TestServer;
let off: TestServer;
beforeAll(async () => {
  [on, off] = await Promise.all([startTestServer({ TERMINAL_CACHE_MAX: '1000' }), startTestServer({ TERMINAL_CACHE_MAX: '0' })]);
});
afterAll(async () => {
  await Promise.all([on.close(), off.close()]);
});

const ACCEPTS = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json;q=0.9',
  'application/json, application/graphql-response+json',
  '*/*',
  'multipart/mixed;deferSpec=20220824, application/json',
  'text/html',
];
const HEADERS: Array<[string, Record<string, string>]> = [
  ['service credential', {}],
  ['client token', { 'x-auth-token': DEMO.token }],
  ['federated trace', { 'apollo-federation-include-trace': 'ftv1' }],
  ['client token and trace', { 'x-auth-token': DEMO.token, 'apollo-federation-include-trace': 'ftv1' }],
];
const COMPARED_HEADERS = ['content-type', 'cache-control', 'vary', 'content-length'];

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function send(server: TestServer, query: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = Buffer.from(await res.arrayBuffer()).toString('utf8');
  return { status: res.status, headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, res.headers.get(h)])), body };
}

async function queriesRun(server: TestServer): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/graphql_operations_total\{type="query"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** A trace differs per execution (timings): compare everything else, and that each answer carries one. */
function withoutTrace(answer: Answer): Answer {
  const parsed = JSON.parse(answer.body) as { extensions?: { ftv1?: unknown } };
  expect(typeof parsed.extensions?.ftv1).toBe('string');
  delete parsed.extensions!.ftv1;
  return { status: answer.status, headers: { ...answer.headers, 'content-length': null }, body: JSON.stringify(parsed) };
}

describe('a cache hit answers like Apollo', () => {
  let row = 0;
  for (const accept of ACCEPTS) {
    for (const [label, extra] of HEADERS) {
      const id = ++row;
      it(`Accept: ${accept ?? '(none)'}, ${label}`, async () => {
        const query = `query Row${id} { job(ref: { service: CLOUD_PHONE, jobId: "${DEMO.cloudPhone.success}" }) { jobId state terminal } }`;
        const headers = { ...(accept ? { accept } : {}), ...extra };
        const reference = await send(off, query, headers);
        const first = await send(on, query, headers);
        const before = await queriesRun(on);
        const second = await send(on, query, headers);
        const ranAgain = (await queriesRun(on)) > before;

        const traced = 'apollo-federation-include-trace' in extra && reference.status === 200;
        const norm = traced ? withoutTrace : (a: Answer) => a;
        expect(norm(first)).toEqual(norm(reference));
        expect(norm(second)).toEqual(norm(reference));
        // Only what the fast path can reproduce exactly is answered from memory; the rest runs through Apollo.
        const servable = reference.status === 200 && !('apollo-federation-include-trace' in extra);
        expect(ranAgain).toBe(!servable);
      });
    }
  }

  it('keeps the trailing newline and cache-control of Apollo on a hit', async () => {
    const query = `{ job(ref: { service: CLOUD_PHONE, jobId: "${DEMO.cloudPhone.success}" }) { state } }`;
    await send(on, query, { accept: 'application/graphql-response+json' });
    const hit = await send(on, query, { accept: 'application/graphql-response+json' });
    expect(hit.body.endsWith('}\n')).toBe(true);
    // Apollo's hint for a terminal job: private, for the terminal-cache TTL (60 s by default).
    expect(hit.headers).toMatchObject({ 'content-type': 'application/graphql-response+json; charset=utf-8', 'cache-control': 'max-age=60, private' });
  });
});
