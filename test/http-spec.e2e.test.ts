/**
 * GraphQL over HTTP as the spec and Apollo Server say: graphql-http's own audit against the real server and,
 * in the same run and with the same audit version, against a bare Apollo Server; parse failures are 400.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { auditServer, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
let bare: ApolloServer;
let bareUrl: string;
beforeAll(async () => {
  t = await startTestServer({ INTROSPECTION: 'true', MAX_TOKENS: '200' });
  bare = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  bareUrl = `${(await startStandaloneServer(bare, { listen: { port: 0, host: '127.0.0.1' } })).url}graphql`;
});
afterAll(async () => {
  await t.close();
  await bare.stop();
});

const summary = (results: AuditResult[]) => results.map((r) => `${r.status} ${r.id} ${r.name}`);

describe("graphql-http's audit", () => {
  it('passes every MUST, with no warning that a bare Apollo Server does not also have', async () => {
    const [ours, theirs] = await Promise.all([auditServer({ url: t.url }), auditServer({ url: bareUrl })]);
    expect(ours.length).toBeGreaterThan(50);
    expect(summary(ours.filter((r) => r.status === 'error'))).toEqual([]);
    const bareWarnings = new Set(theirs.filter((r) => r.status === 'warn').map((r) => r.id));
    expect(summary(ours.filter((r) => r.status === 'warn' && !bareWarnings.has(r.id)))).toEqual([]);
  });
});

describe('status codes', () => {
  const post = (body: string, accept: string) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });

  for (const accept of ['application/json', 'application/graphql-response+json']) {
    it(`answers a syntax error with 400 and BAD_USER_INPUT (Accept: ${accept})`, async () => {
      const res = await post('{"query":"{"}', accept);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe(`${accept}; charset=utf-8`);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors[0]!.message).toMatch(/^Syntax Error/);
      expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_PARSE_FAILED' });
    });

    it(`answers a document over MAX_TOKENS with 400 and BAD_USER_INPUT, before validation (Accept: ${accept})`, async () => {
      const fields = Array.from({ length: 120 }, (_, i) => `a${i}: __typename`).join(' ');
      const res = await post(JSON.stringify({ query: `{ ${fields} }` }), accept);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors[0]!.message).toMatch(/Document contains more th[a-z]+ 200 tokens/) // graphql-js spells it "more that";
      expect(body.errors[0]!.extensions['code']).toBe('BAD_USER_INPUT');
    });

    it(`answers a validation error with 400 (Accept: ${accept})`, async () => {
      const res = await post('{"query":"{ noSuchField }"}', accept);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> }).errors[0]!.extensions['code']).toBe('BAD_USER_INPUT');
    });
  }
});
