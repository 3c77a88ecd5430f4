/**
 * Replicas sharing pollers and the terminal-job cache through Redis: real server processes
 * (`src/main.ts`) against one simulator, the machine's Redis on 127.0.0.1:6379 (keys under a unique prefix), and a
 * redis-server of the test's own where Redis must be stopped and restarted. Upstream calls are counted at the
 * simulator, whose clock is this process's.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createSimulator, DEMO, type Simulator } from '../src/simulator/index.js';
import { startTestServer } from './support/server.js';
import type { ChildServer } from './support/processes.js';
import { freePort, metric, OwnRedis, startReplicas, uniquePrefix, waitFor, waitForDegraded } from './support/replicas.js';
import { collect, wsClient, type Collected } from './support/subscriptions.js';

const INTERVAL = 400;
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const OTHER_TOKEN = 'token-of-another-project';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const uniqueId = () => `5ca1e${(++n).toString(16).padStart(3, '0')}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;

const clients: Client[] = [];
const client = (replica: { url: string }, params?: Record<string, unknown>) => {
  const c = wsClient(replica.url, params);
  clients.push(c);
  return c;
};
const follow = (replica: { url: string }, id: string, params?: Record<string, unknown>): Collected =>
  collect(client(replica, params), `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state progress } }`);

function addRunningJob(sim: Simulator, status = 'Running'): string {
  const id = uniqueId();
  sim.store.add('gaussdb', { id, name: 'ResizeGaussDBforMySQLFlavor', status, process: 10, instance: { id: 'a'.repeat(32) + 'in07', name: 'orders' } });
  return id;
}
const setJob = (sim: Simulator, id: string, patch: Record<string, unknown>) => sim.store.update('gaussdb', DEMO.projectId, id, patch);
const pollsOf = (sim: Simulator, id: string) => sim.calls.list({ route: 'gaussdb.showJob', jobId: id });
const last = (c: Collected) => c.messages.at(-1)?.data?.['jobUpdated'] as { state: string; progress: number } | undefined;

async function gql(replica: { url: string }, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(replica.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
}

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

describe('three replicas sharing the machine Redis', () => {
  let sim: Simulator;
  let replicas: ChildServer[];
  let redis: Redis;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sim = await createSimulator({ tokens: { [DEMO.token]: { projects: '*' }, [OTHER_TOKEN]: { projects: ['f'.repeat(32)] } } });
    redis = new Redis(REDIS_URL);
    replicas = await startReplicas(3, sim, {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      POLL_INTERVAL_MS: String(INTERVAL),
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '200',
    });
    // Each replica reports that it coordinates through Redis.
    await waitForDegraded(replicas, 0, 10_000, 'replicas to reach Redis');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await Promise.all(replicas.map((r) => r.stop()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await sim.close();
  });

  it('hundreds of subscribers over three replicas: upstream polls per interval equal the distinct jobs, not × replicas', async () => {
    const ids = [addRunningJob(sim), addRunningJob(sim), addRunningJob(sim)];
    const subs = replicas.flatMap((replica) => {
      const conn = client(replica);
      return Array.from({ length: 100 }, (_, i) => collect(conn, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${ids[i % 3]}" }) { state progress } }`));
    });
    await Promise.all(subs.map((s) => s.waitFor(1)));
    await sleep(INTERVAL * 2);
    const roles = async (role: string) => (await Promise.all(replicas.map((r) => metric(r, 'cluster_jobs', `role="${role}"`)))).reduce((a, b) => a + b, 0);
    expect(await roles('leader')).toBe(3);
    expect(await roles('follower')).toBe(6);

    const from = Date.now();
    await sleep(INTERVAL * 10);
    for (const id of ids) {
      const polls = pollsOf(sim, id).filter((c) => c.at >= from).length;
      expect(polls).toBeGreaterThanOrEqual(8);
      expect(polls).toBeLessThanOrEqual(12); // ~10; three replicas polling on their own would make ~30
    }

    // Every change reaches every subscriber on every replica, the terminal state included.
    for (const id of ids) setJob(sim, id, { process: 60 });
    await waitFor(() => subs.every((s) => last(s)?.progress === 60), INTERVAL * 4, 'progress 60 everywhere');
    for (const id of ids) setJob(sim, id, { status: 'Completed' });
    const ends = await Promise.all(subs.map((s) => s.done));
    expect(ends.every((e) => e.error === undefined)).toBe(true);
    expect(subs.every((s) => last(s)?.state === 'SUCCEEDED')).toBe(true);
  });

  it('a finished job is fetched once for the whole cluster, for queries and new subscribers alike; per credential', async () => {
    const id = addRunningJob(sim, 'Completed');
    const query = `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state } }`;
    for (const replica of replicas) expect((await gql(replica, query)).data.job.state).toBe('SUCCEEDED');
    expect(pollsOf(sim, id)).toHaveLength(1);
    const sub = follow(replicas[2]!, id);
    expect((await sub.done).error).toBeUndefined();
    expect(last(sub)?.state).toBe('SUCCEEDED');
    expect(pollsOf(sim, id)).toHaveLength(1);
    // Another credential never gets what the first one fetched.
    expect((await gql(replicas[1]!, query, { 'X-Auth-Token': DEMO.token })).data.job.state).toBe('SUCCEEDED');
    expect(pollsOf(sim, id)).toHaveLength(2);
  });

  it('keeps credentials apart across replicas, and never writes a secret to Redis', async () => {
    const id = addRunningJob(sim);
    const allowed = follow(replicas[0]!, id, { 'X-Auth-Token': DEMO.token });
    await allowed.waitFor(1);
    // Same job, other replica, a token without access to the project: its own poller, its own answer.
    const denied = follow(replicas[1]!, id, { 'X-Auth-Token': OTHER_TOKEN });
    const end = await denied.done;
    expect(end.error).toBeUndefined();
    expect(denied.messages.at(-1)?.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(denied.messages.some((m) => m.data)).toBe(false);
    const credentials = new Set(pollsOf(sim, id).map((c) => c.credential));
    expect(credentials.size).toBe(2);

    setJob(sim, id, { process: 70 });
    await waitFor(() => last(allowed)?.progress === 70, INTERVAL * 4, 'the allowed subscriber to see the change');
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.some((k) => k.endsWith('}:lease'))).toBe(true);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    const everything = keys.join('\n') + '\n' + values.join('\n');
    for (const secret of [DEMO.token, OTHER_TOKEN, DEMO.sk]) expect(everything).not.toContain(secret);
    setJob(sim, id, { status: 'Completed' });
    await allowed.done;
  });

  it('a leader whose last subscriber leaves hands over at once, keeping the rhythm', async () => {
    const id = addRunningJob(sim);
    const first = follow(replicas[0]!, id);
    await first.waitFor(1);
    const second = follow(replicas[1]!, id);
    await second.waitFor(1);
    await sleep(INTERVAL * 2);
    expect(await metric(replicas[0]!, 'cluster_jobs', 'role="leader"')).toBe(1);
    const leftAt = Date.now();
    first.unsubscribe();
    await sleep(INTERVAL * 5);
    expect(await metric(replicas[1]!, 'cluster_jobs', 'role="leader"')).toBe(1);
    const times = pollsOf(sim, id).map((c) => c.at).filter((at) => at >= leftAt - INTERVAL);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThan(INTERVAL * 1.6);
    expect(times.length).toBeGreaterThanOrEqual(4);
    setJob(sim, id, { status: 'Completed' });
    expect((await second.done).error).toBeUndefined();
    expect(last(second)?.state).toBe('SUCCEEDED');
  });

  // Last: it kills a replica.
  it('when the leading replica dies, another takes over within two intervals and no terminal state is missed', async () => {
    const id = addRunningJob(sim);
    const onLeader = follow(replicas[0]!, id);
    await onLeader.waitFor(1);
    const survivors = [follow(replicas[1]!, id), follow(replicas[2]!, id)];
    await Promise.all(survivors.map((s) => s.waitFor(1)));
    await sleep(INTERVAL * 2);
    expect(await metric(replicas[0]!, 'cluster_jobs', 'role="leader"')).toBe(1);

    await replicas[0]!.kill();
    const killedAt = Date.now();
    setJob(sim, id, { status: 'Completed' }); // finishes while nobody polls it
    const ends = await Promise.all(survivors.map((s) => s.done));
    expect(ends.every((e) => e.error === undefined)).toBe(true);
    expect(survivors.every((s) => last(s)?.state === 'SUCCEEDED')).toBe(true);
    const takeover = pollsOf(sim, id).find((c) => c.at > killedAt)!;
    expect(takeover.at - killedAt).toBeLessThanOrEqual(INTERVAL * 2);
  });
});

describe('Redis stopped and restarted', () => {
  let sim: Simulator;
  let replicas: ChildServer[];
  let own: OwnRedis;

  beforeAll(async () => {
    sim = await createSimulator();
    own = new OwnRedis(await freePort());
    await own.start();
    replicas = await startReplicas(2, sim, { REDIS_URL: own.url, POLL_INTERVAL_MS: String(INTERVAL) });
    await waitForDegraded(replicas, 0, 10_000, 'replicas to reach Redis');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await Promise.all(replicas.map((r) => r.stop()));
    await own.stop();
    await sim.close();
  });

  it('falls back to local polling with a warning and a metric, then coordinates again; no subscription is dropped', async () => {
    const id = addRunningJob(sim);
    const subs = [follow(replicas[0]!, id)];
    await subs[0]!.waitFor(1);
    subs.push(follow(replicas[1]!, id));
    await subs[1]!.waitFor(1);
    const pollsDuring = async (intervals: number) => {
      const from = Date.now();
      await sleep(INTERVAL * intervals);
      return pollsOf(sim, id).filter((c) => c.at >= from).length;
    };
    expect(await pollsDuring(8)).toBeLessThanOrEqual(10); // one poller for both replicas

    await own.stop();
    await waitForDegraded(replicas, 1, 10_000, 'degraded mode');
    // The warning reaches us through the child's stdout, which may trail the metric read over HTTP.
    const warned = (r: (typeof replicas)[number]) => r.logs.some((l) => l['level'] === 40 && String(l['msg']).includes('degraded mode'));
    await waitFor(() => replicas.every(warned), 3000, 'a degraded-mode warning from each replica');
    expect(await pollsDuring(8)).toBeGreaterThanOrEqual(12); // each replica polls on its own
    setJob(sim, id, { process: 40 });
    await waitFor(() => subs.every((s) => last(s)?.progress === 40), INTERVAL * 4, 'a change while degraded');

    await own.start();
    await waitForDegraded(replicas, 0, 15_000, 'coordination again');
    await sleep(INTERVAL);
    expect(await pollsDuring(8)).toBeLessThanOrEqual(10);
    for (const r of replicas) expect(await metric(r, 'cluster_degraded_total')).toBe(1);

    setJob(sim, id, { status: 'Completed' });
    const ends = await Promise.all(subs.map((s) => s.done));
    expect(ends.every((e) => e.error === undefined)).toBe(true);
    expect(subs.every((s) => s.messages.map((m) => m.data?.['jobUpdated']?.progress).includes(40))).toBe(true);
    expect(subs.every((s) => last(s)?.state === 'SUCCEEDED')).toBe(true);
  }, 45_000);
});

describe('the shared terminal-job cache', () => {
  it('bounds the age of an entry across replicas, not per replica', async () => {
    const sim = await createSimulator();
    const prefix = uniquePrefix();
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, TERMINAL_CACHE_MAX: '100', TERMINAL_CACHE_TTL_MS: '1000' };
    const [a, b] = await Promise.all([startTestServer(env, { simulator: sim }), startTestServer(env, { simulator: sim })]);
    try {
      await waitForDegraded([a, b], 0, 5000, 'Redis');
      const id = addRunningJob(sim, 'Completed');
      const query = `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state } }`;
      // Vary the text so each replica's HTTP response cache does not answer: the job cache is under test.
      const ask = (t: typeof a, i: number) => t.gql(query.replace('{ state }', `{ state${' '.repeat(i)} }`));
      expect((await ask(a, 0)).data!['job'].state).toBe('SUCCEEDED');
      const cachedAt = Date.now();
      await sleep(600);
      expect((await ask(b, 1)).data!['job'].state).toBe('SUCCEEDED'); // from Redis, 600 ms old
      expect(pollsOf(sim, id)).toHaveLength(1);
      await sleep(Math.max(0, cachedAt + 1150 - Date.now()));
      // b copied the entry 600 ms into its life: it expires with the original, after 1 s, not 1.6 s.
      expect((await ask(b, 2)).data!['job'].state).toBe('SUCCEEDED');
      expect(pollsOf(sim, id)).toHaveLength(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await sim.close();
    }
  });
});

describe('Redis unreachable from the start', () => {
  it('says what is wrong when the seed of REDIS_CLUSTER_NODES is not a Cluster or REDIS_SENTINELS not sentinels', async () => {
    const standalone = REDIS_URL.replace(/^redis:\/\//, '').replace(/\/.*$/, '');
    for (const [env, cause] of [
      [{ REDIS_CLUSTER_NODES: standalone }, 'cluster support disabled'],
      [{ REDIS_SENTINELS: standalone, REDIS_SENTINEL_NAME: 'jobs' }, 'sentinel'],
    ] as const) {
      const lines: string[] = [];
      const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => done(void lines.push(String(chunk))) }));
      const t = await startTestServer({ ...env, POLL_INTERVAL_MS: String(INTERVAL) }, { logger });
      try {
        await waitFor(() => lines.some((l) => l.includes('degraded mode')), 5000, 'the warning');
        const warning = lines.find((l) => l.includes('degraded mode'))!;
        expect(warning.toLowerCase()).toContain(cause);
        // It still serves.
        const id = addRunningJob(t.sim);
        expect((await gql(t, `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state } }`)).data.job.state).toBe('RUNNING');
      } finally {
        await t.close();
      }
    }
  });

  it('serves queries and subscriptions by polling locally, and says so', async () => {
    const port = await freePort(); // nothing listens there
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => done(void lines.push(String(chunk))) }));
    const t = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${port}`, POLL_INTERVAL_MS: String(INTERVAL), TERMINAL_CACHE_MAX: '100' }, { logger });
    try {
      const id = addRunningJob(t.sim);
      const sub = follow(t, id);
      await sub.waitFor(1);
      expect((await gql(t, `{ job(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state } }`)).data.job.state).toBe('RUNNING');
      // The warning says why: the connection was refused.
      await waitFor(() => lines.some((l) => l.includes('degraded mode') && l.includes('ECONNREFUSED')), 5000, 'the warning');
      expect(await metric(t, 'cluster_degraded')).toBe(1);
      setJob(t.sim, id, { status: 'Completed' });
      expect((await sub.done).error).toBeUndefined();
      expect(last(sub)?.state).toBe('SUCCEEDED');
    } finally {
      await t.close();
    }
  });
});
