/**
 * Running jobs across replicas: an observation one replica stored in Redis answers another replica's query
 * within the freshness window, with its age kept (the key's TTL), and never for another credential. Real server
 * processes against one simulator and the machine's Redis (keys under a unique prefix).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import type { ChildServer } from './support/processes.js';
import { startReplicas, uniquePrefix, waitFor, waitForDegraded } from './support/replicas.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const WINDOW = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gql(replica: { url: string }, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(replica.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

describe('observations shared through Redis (JOB_MAX_AGE_MS)', () => {
  let sim: Simulator;
  let replicas: ChildServer[];
  let redis: Redis;
  const prefix = uniquePrefix();
  let n = 0;
  const addRunningJob = () => {
    const id = `0b5e7${(++n).toString(16).padStart(3, '0')}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
    sim.store.add('gaussdb', { id, name: 'ResizeGaussDBforMySQLFlavor', status: 'Running', process: 10, instance: { id: 'a'.repeat(32) + 'in07', name: 'orders' } });
    return id;
  };
  const q = (id: string) => `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { jobId state progress } }`;
  const calls = (id: string) => sim.calls.list({ route: 'gaussdb.showJob', jobId: id });

  beforeAll(async () => {
    sim = await createSimulator({ tokens: { [DEMO.token]: { projects: '*' } } });
    redis = new Redis(REDIS_URL);
    replicas = await startReplicas(2, sim, { REDIS_URL, REDIS_KEY_PREFIX: prefix, JOB_MAX_AGE_MS: String(WINDOW) });
    await waitForDegraded(replicas, 0, 10_000, 'replicas to reach Redis');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  it("one replica's observation answers the other's query within the window, and is refetched after it", async () => {
    const id = addRunningJob();
    const [a, b] = replicas as [ChildServer, ChildServer];
    expect((await gql(a, q(id))).data.job).toEqual({ jobId: id, state: 'RUNNING', progress: 10 });
    expect(calls(id)).toHaveLength(1);
    // The observation a stored, with the window as its TTL (written just after a answered, hence the wait).
    let key: string | undefined;
    await waitFor(async () => ([key] = await redis.keys(`${prefix}:{GAUSSDB_MYSQL|*|${id}|*}:observed`)).length === 1, WINDOW / 2, 'the observation in Redis');
    const ttl = await redis.pttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW);
    sim.store.update('gaussdb', DEMO.projectId, id, { process: 20 });
    const fetchedAt = Date.now();
    await sleep(1000);
    // Replica b has never seen the job: the state a stored answers it (still 10), with no upstream call.
    expect((await gql(b, q(id))).data.job.progress).toBe(10);
    expect(calls(id)).toHaveLength(1);
    // It keeps its age: it expires a window after a fetched it, not a window after b copied it.
    await sleep(fetchedAt + WINDOW + 300 - Date.now());
    expect((await gql(b, q(id))).data.job.progress).toBe(20);
    expect(calls(id)).toHaveLength(2);
  });

  it('never across credentials, and no secret in Redis', async () => {
    const id = addRunningJob();
    const [a, b] = replicas as [ChildServer, ChildServer];
    await gql(a, q(id)); // the service AK/SK
    await gql(b, q(id), { 'X-Auth-Token': DEMO.token }); // a client token: its own call
    expect(calls(id).map((c) => c.authKind)).toEqual(['aksk', 'token']);
    // One observation per credential (written just after each answer, hence the wait).
    let keys: string[] = [];
    await waitFor(async () => (keys = await redis.keys(`${prefix}:{*${id}*}:observed`)).length === 2, WINDOW / 2, 'both observations in Redis');
    const stored = [...keys, ...(await Promise.all(keys.map((k) => redis.get(k))))].join('\n');
    for (const secret of [DEMO.token, DEMO.sk, DEMO.ak]) expect(stored).not.toContain(secret);
  });
});
