/**
 * The README's clients really work: graphql-ws (examples/subscribe.mjs, shown verbatim in README) and Apollo Client 4
 * over HTTP with possibleTypes and a multipart subscription (examples/apollo-client.mjs).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const run = promisify(execFile);
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ POLL_INTERVAL_MS: '150' });
});
afterAll(() => t.close());

describe('examples/subscribe.mjs', () => {
  it('is the snippet README shows', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(readFileSync('examples/subscribe.mjs', 'utf8').trim());
  });

  it('prints the current state, each change, and completes after the terminal state', async () => {
    // The job ends 2.5 s after it is added: room for a child Node process to start on a loaded 2-core machine.
    t.sim.store.add('cloudPhone', { id: 'e'.repeat(32), requestId: 'f'.repeat(32), status: 1, timeline: [{ afterMs: 2500, status: 2 }] });
    const { stdout } = await run(process.execPath, ['examples/subscribe.mjs', 'e'.repeat(32), 'CLOUD_PHONE'], {
      env: { ...process.env, SUBGRAPH_WS_URL: t.url.replace(/^http/, 'ws') },
      timeout: 15_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('complete: the job reached a terminal state');
    const states = lines.slice(0, -1).map((l) => JSON.parse(l).data.jobUpdated.state);
    expect(states).toEqual(['RUNNING', 'SUCCEEDED']);
  });
});

describe('examples/apollo-client.mjs', () => {
  it('queries through fragments on Job implementations, then follows the job over multipart until it completes', async () => {
    const id = 'a9c1e000-0000-4000-8000-00000000e0a1';
    // Ends 2.5 s after it is added: room for a child Node process to start on a loaded 2-core machine.
    t.sim.store.add('gaussdb', { id, status: 'Running', process: 30, instance: { id: 'd'.repeat(32) + 'in07', name: 'orders' }, timeline: [{ afterMs: 2500, status: 'Completed' }] });
    const { stdout } = await run(process.execPath, ['examples/apollo-client.mjs', id, 'GAUSSDB_MYSQL'], {
      env: { ...process.env, SUBGRAPH_URL: t.url },
      timeout: 15_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('complete: the job reached a terminal state');
    // The fields of `... on GaussDBJob` inside `fragment on Job` come back only when the cache knows GaussDBJob is a Job.
    expect(JSON.parse(lines[0]!).job).toMatchObject({ __typename: 'GaussDBJob', jobId: id, state: 'RUNNING', progress: 30, instance: { name: 'orders' } });
    const updates = lines.slice(1, -1).map((l) => JSON.parse(l).jobUpdated);
    expect(updates.map((u) => u.state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(updates.at(-1)).toMatchObject({ __typename: 'GaussDBJob', progress: 100, instance: { name: 'orders' } });
  });
});
