/** The README's graphql-ws client (examples/subscribe.mjs, shown verbatim in README) really works. */
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
