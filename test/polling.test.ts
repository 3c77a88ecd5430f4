import { describe, expect, it } from 'vitest';
import { parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { tokenCredential } from '../src/auth/credentials.js';
import { createLogger } from '../src/logger.js';
import type { JobModel } from '../src/model/job.js';
import { PollerRegistry } from '../src/polling/registry.js';
import { PollTiming } from '../src/polling/schedule.js';
import { selectedFieldNames, visibleDigest } from '../src/graphql/visible.js';

describe('poll delays', () => {
  const timing = new PollTiming({ intervalMs: 1000 });

  it('keeps a steady rhythm measured from the start of the previous tick', () => {
    expect(timing.steadyDelay(10_000, 10_150)).toBe(850); // the tick itself took 150 ms
    expect(timing.steadyDelay(10_000, 11_500)).toBe(0); // a slow tick: the next one at once
  });

  it('starts new groups at a random phase, never later than one interval, not in lock-step', () => {
    const delays = Array.from({ length: 500 }, () => timing.firstDelay());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it('backs off exponentially on errors, jittered, up to a cap', () => {
    const first = Array.from({ length: 200 }, () => timing.backoffDelay(1, null));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(1600);
    expect(Math.max(...first)).toBeLessThanOrEqual(2000);
    expect(new Set(first).size).toBeGreaterThan(50);
    expect(timing.backoffDelay(3, null)).toBeGreaterThanOrEqual(6400);
    expect(timing.backoffDelay(30, null)).toBeLessThanOrEqual(60_000);
  });

  it('never polls before Retry-After', () => {
    expect(timing.backoffDelay(1, 30_000)).toBeGreaterThanOrEqual(30_000);
  });
});

describe('slots', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const running = (jobId: string, service: string) => ({ jobId, service, terminal: false, state: 'RUNNING' }) as unknown as JobModel;

  async function pollBatches(service: 'GAUSSDB_MYSQL' | 'CLOUD_PHONE', jobs: number) {
    const batches: Array<{ at: number; size: number }> = [];
    const registry = new PollerRegistry({
      intervalMs: 200,
      logger: createLogger('silent'),
      fetch: async (keys) => {
        batches.push({ at: Date.now(), size: keys.length });
        return keys.map((k) => running(k.jobId, k.service));
      },
    });
    const credential = tokenCredential('t');
    const streams = Array.from({ length: jobs }, (_, i) =>
      registry.subscribe({ service, jobId: `job-${i}`, projectId: 'p', region: 'r', requestId: service === 'CLOUD_PHONE' ? `req-${i}` : null }, credential),
    );
    for (const s of streams) void s.next();
    await sleep(450);
    registry.close();
    return batches.slice(jobs); // after each job's first fetch
  }

  it('polls each job of a non-batched service on its own timer, at different phases', async () => {
    const ticks = await pollBatches('GAUSSDB_MYSQL', 30);
    expect(ticks.length).toBeGreaterThanOrEqual(30);
    expect(ticks.every((t) => t.size === 1)).toBe(true);
    const firstRound = ticks.slice(0, 30).map((t) => t.at);
    expect(Math.max(...firstRound) - Math.min(...firstRound)).toBeGreaterThan(10); // not one burst
  });

  it('polls up to 20 Cloud Phone jobs together, so their request ids share one call', async () => {
    const ticks = await pollBatches('CLOUD_PHONE', 45);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.slice(0, 3).map((t) => t.size).sort()).toEqual([20, 20, 5]);
  });
});

describe('learning a Cloud Phone request id', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** The request ids the second fetch asks with, after the first answered with `learnt`. */
  async function secondAsk(learnt: string): Promise<Array<string | null>> {
    const asked: Array<Array<string | null>> = [];
    const registry = new PollerRegistry({
      intervalMs: 50,
      logger: createLogger('silent'),
      fetch: async (keys) => {
        asked.push(keys.map((k) => k.requestId));
        return keys.map((k) => ({ jobId: k.jobId, service: k.service, terminal: false, state: 'RUNNING', requestId: learnt }) as unknown as JobModel);
      },
    });
    const stream = registry.subscribe({ service: 'CLOUD_PHONE', jobId: 'j', projectId: 'p', region: 'r', requestId: null }, tokenCredential('t'));
    void stream.next();
    await sleep(150);
    registry.close();
    return asked[1]!;
  }

  it('learns a well-formed request id from ShowJob, but not a malformed one (it would only make ListJobs fail)', async () => {
    expect(await secondAsk('a'.repeat(32))).toEqual(['a'.repeat(32)]);
    expect(await secondAsk('abc')).toEqual([null]);
  });
});

describe('visible changes', () => {
  const doc = parse(`
    subscription { jobUpdated(ref: { service: WORKSPACE, jobId: "x" }) { state ...F subJobs { id state } } }
    fragment F on Job { error { message } }
  `);
  const op = doc.definitions[0] as OperationDefinitionNode;
  const field = op.selectionSet.selections[0] as FieldNode;
  const fragments = { F: doc.definitions[1] as FragmentDefinitionNode };

  it('collects field names through fragments and nesting', () => {
    expect([...selectedFieldNames([field], fragments)].sort()).toEqual(['error', 'id', 'message', 'state', 'subJobs']);
  });

  it('ignores changes outside the selection', () => {
    const names = selectedFieldNames([field], fragments);
    const a = { state: 'RUNNING', progress: 10, error: null, subJobs: [{ id: 's', state: 'RUNNING', progress: 1 }] };
    expect(visibleDigest({ ...a, progress: 50, subJobs: [{ id: 's', state: 'RUNNING', progress: 9 }] }, names)).toBe(visibleDigest(a, names));
    expect(visibleDigest({ ...a, subJobs: [{ id: 's', state: 'FAILED', progress: 1 }] }, names)).not.toBe(visibleDigest(a, names));
    expect(visibleDigest({ ...a, error: { message: 'x', code: 'y' } }, names)).not.toBe(visibleDigest(a, names));
  });
});
