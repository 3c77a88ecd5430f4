/**
 * README examples really work: every ```graphql query block runs against the server and its simulator, and
 * when a ```json block follows it, the response must equal it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

interface Example {
  query: string;
  expected: unknown;
}

function examples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
  const out: Example[] = [];
  blocks.forEach((block, i) => {
    // Operations only: SDL examples are composed in federation.e2e.test.ts, subscriptions run in examples.test.ts.
    if (block.lang !== 'graphql' || !/^\s*(\{|query\b)/.test(block.body)) return;
    const next = blocks[i + 1];
    out.push({ query: block.body, expected: next?.lang === 'json' ? JSON.parse(next.body) : undefined });
  });
  return out;
}

const found = examples(readFileSync('README.md', 'utf8'));

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('README examples', () => {
  it('has examples to run', () => {
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it.each(found.map((e, i) => [i + 1, e] as const))('example %i returns what README says', async (_n, example) => {
    const { status: _status, ...res } = await t.gql(example.query);
    expect(res.errors).toBeUndefined();
    if (example.expected !== undefined) expect(res).toEqual(example.expected);
  });
});
