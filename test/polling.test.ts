import { describe, expect, it } from 'vitest';
import { parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { createLogger } from '../src/logger.js';
import { PollerRegistry } from '../src/polling/registry.js';
import { selectedFieldNames, visibleDigest } from '../src/polling/visible.js';

describe('poll delays', () => {
  const registry = new PollerRegistry({ intervalMs: 1000, logger: createLogger('silent'), fetch: async () => [] });

  it('jitters the base interval down by up to 20%, never later than the interval', () => {
    const delays = Array.from({ length: 500 }, () => registry.nextDelay(0, null));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(new Set(delays).size).toBeGreaterThan(100); // not in lock-step
  });

  it('backs off exponentially on errors, up to a cap', () => {
    expect(registry.nextDelay(1, null)).toBeGreaterThanOrEqual(1600);
    expect(registry.nextDelay(3, null)).toBeGreaterThanOrEqual(6400);
    expect(registry.nextDelay(30, null)).toBeLessThanOrEqual(60_000);
  });

  it('never polls before Retry-After', () => {
    expect(registry.nextDelay(1, 30_000)).toBeGreaterThanOrEqual(30_000);
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
