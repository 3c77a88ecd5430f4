/** The observation store on its own (loaders/observations.ts): sharing reads in flight, the window, the shared level. */
import { describe, expect, it } from 'vitest';
import { JobObservations } from '../src/loaders/observations.js';
import type { SharedJobStore } from '../src/loaders/terminal-cache.js';
import type { JobModel } from '../src/model/job.js';

// Cast: the store reads only `terminal`; a partial job stands in for a whole model.
const running = (progress: number) => ({ kind: 'GaussDBJob', service: 'GAUSSDB_MYSQL', terminal: false, progress }) as unknown as JobModel;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch that counts its calls and answers after `ms`. */
function upstream(answer: () => JobModel | Error, ms = 20) {
  const fetch = async () => {
    fetch.calls++;
    await sleep(ms);
    const a = answer();
    if (a instanceof Error) throw a;
    return a;
  };
  fetch.calls = 0;
  return fetch;
}

/** A shared store in memory, standing in for Redis: entries expire after their TTL. */
function memoryStore(): SharedJobStore & { entries: Map<string, { job: JobModel; until: number }> } {
  const entries = new Map<string, { job: JobModel; until: number }>();
  return {
    entries,
    async get(key) {
      await sleep(10);
      const e = entries.get(key);
      return e && e.until > Date.now() ? { job: e.job, ttlMs: e.until - Date.now() } : undefined;
    },
    set(key, job, ttlMs) {
      entries.set(key, { job, until: Date.now() + ttlMs });
    },
  };
}

describe('JobObservations', () => {
  it('shares a read in flight, its result or its error, and keys never mix', async () => {
    const obs = new JobObservations({ maxAgeMs: 0 });
    const ok = upstream(() => running(1));
    const answers = await Promise.all([obs.read('a', ok), obs.read('a', ok), obs.read('a', ok, true)]);
    expect(ok.calls).toBe(1);
    expect(new Set(answers).size).toBe(1);
    const failing = upstream(() => new Error('boom'));
    const settled = await Promise.allSettled([obs.read('b', failing), obs.read('b', failing)]);
    expect(failing.calls).toBe(1);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    await Promise.all([obs.read('c|fp1', ok), obs.read('c|fp2', ok)]);
    expect(ok.calls).toBe(3);
    expect(obs.jobs.size).toBe(0); // nothing stays in flight once settled
  });

  it('answers from an observation younger than the window; refetches an older one; fresh reads skip it', async () => {
    const obs = new JobObservations({ maxAgeMs: 100 });
    let progress = 1;
    const fetch = upstream(() => running(progress));
    expect(await obs.read('a', fetch)).toMatchObject({ progress: 1 });
    progress = 2;
    expect(await obs.read('a', fetch)).toMatchObject({ progress: 1 });
    expect(fetch.calls).toBe(1);
    expect(await obs.read('a', fetch, true)).toMatchObject({ progress: 2 }); // a poll: a new observation...
    expect(await obs.read('a', fetch)).toMatchObject({ progress: 2 }); // ...that answers queries
    expect(fetch.calls).toBe(2);
    await sleep(130);
    progress = 3;
    expect(await obs.read('a', fetch)).toMatchObject({ progress: 3 });
    expect(fetch.calls).toBe(3);
  });

  it('never keeps a terminal job, a missing one or an error', async () => {
    const obs = new JobObservations({ maxAgeMs: 1000 });
    const done = upstream(() => ({ ...running(100), terminal: true }) as JobModel);
    await obs.read('t', done);
    await obs.read('t', done);
    expect(done.calls).toBe(2);
    let missing = 0;
    const none = async () => (missing++, null);
    await obs.read('m', none);
    await obs.read('m', none);
    expect(missing).toBe(2);
    expect(obs.size).toBe(0);
  });

  it('with a shared store: another replica reuses an observation with its age kept; a poll never takes it', async () => {
    const store = memoryStore();
    const replicaA = new JobObservations({ maxAgeMs: 200 }, store);
    const replicaB = new JobObservations({ maxAgeMs: 200 }, store);
    const fetch = upstream(() => running(7));
    await replicaA.read('k', fetch);
    expect(store.entries.has('k')).toBe(true);
    await sleep(120);
    expect(await replicaB.read('k', fetch)).toMatchObject({ progress: 7 });
    expect(fetch.calls).toBe(1);
    // The copy expires when the original does (200 ms after A observed it), not 200 ms after B copied it.
    await sleep(100);
    await replicaB.read('k', fetch);
    expect(fetch.calls).toBe(2);
    // A poll reads upstream even with a young observation in the store, and does not wait for a query's lookup.
    const replicaC = new JobObservations({ maxAgeMs: 200 }, store);
    const query = replicaC.read('k', fetch);
    const poll = replicaC.read('k', fetch, true);
    await Promise.all([query, poll]);
    expect(fetch.calls).toBe(3);
  });
});
