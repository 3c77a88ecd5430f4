/**
 * What every highly available Redis must give three subgraph replicas (README.md#highly-available-redis): one poller
 * per job, and a primary killed (SIGKILL) during live subscriptions without a subscriber missing its terminal state.
 * test/redis-sentinel.e2e.test.ts and test/redis-cluster.e2e.test.ts run it against real servers; upstream calls are
 * counted at the simulator, whose clock is this process's.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, DEMO, type Simulator } from '../../src/simulator/index.js';
import { addGaussDbJob } from './jobs.js';
import type { ChildServer } from './processes.js';
import { metric, startReplicas, uniquePrefix, waitFor, waitForDegraded } from './replicas.js';
import { collect, wsClient, type Collected, type Message } from './subscriptions.js';

/** A highly available Redis started by the test, as the suite needs it. */
export interface HaRedis {
  /** The REDIS_* variables that point a replica at it. */
  env: Record<string, string>;
  /** SIGKILLs the primary serving `key` (with Sentinel: the primary). */
  killPrimaryOf(key: string): Promise<void>;
  /** Resolves when a replica serves in place of the killed primary. */
  waitForPromotion(timeoutMs: number): Promise<void>;
  /** Restarts the primary killed last, as an operator would, and resolves once it is back as a synced replica. */
  restartKilled(): Promise<void>;
  /** How many connections subscribe to a job's channel (PUBSUB NUMSUB, or SHARDNUMSUB on its shard). */
  channelSubscribers(channel: string): Promise<number>;
  /** Every key on the live servers, with its value (a key held by a primary and its replica comes twice). */
  dump(): Promise<Array<{ key: string; value: string }>>;
  stop(): Promise<void>;
}

const INTERVAL = 400;
const JOBS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describeFailover(name: string, start: () => Promise<HaRedis>): void {
  describe(name, () => {
    let sim: Simulator;
    let redis: HaRedis | null = null;
    let replicas: ChildServer[] = [];
    const clients: Client[] = [];
    const prefix = uniquePrefix();

    const pollsOf = (id: string) => sim.calls.list({ route: 'gaussdb.showJob', jobId: id });
    const last = (c: Collected) => c.messages.at(-1)?.data?.['jobUpdated'] as { state: string; progress: number } | undefined;
    const setJob = (id: string, patch: Record<string, unknown>) => sim.store.update('gaussdb', DEMO.projectId, id, patch);
    /** Subscribers of each job on every replica: two with the service AK/SK, one with a client token. */
    const followEverywhere = (ids: string[]) =>
      replicas.flatMap((replica) => {
        const service = wsClient(replica.url);
        const token = wsClient(replica.url, { 'X-Auth-Token': DEMO.token });
        clients.push(service, token);
        const query = (id: string) => `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state progress } }`;
        return ids.flatMap((id) => [service, service, token].map((c) => ({ id, sub: collect(c, query(id)) })));
      });
    const roles = async (role: string) => (await Promise.all(replicas.map((r) => metric(r, 'cluster_jobs', `role="${role}"`)))).reduce((a, b) => a + b, 0);
    /** The `{…}:events` channels of these jobs, one per credential, named after their lease keys. */
    const channelsOf = async (ids: string[]) => [
      ...new Set(
        (await redis!.dump())
          .filter((e) => e.key.startsWith(`${prefix}:{`) && e.key.endsWith('}:lease') && ids.some((id) => e.key.includes(id)))
          .map((e) => e.key.replace(/\}:lease$/, '}:events')),
      ),
    ];
    /** New jobs followed everywhere, once every subscriber has a first message and each job and credential a leader. */
    const startJobs = async () => {
      const ids = Array.from({ length: JOBS }, () => addGaussDbJob(sim));
      const following = followEverywhere(ids);
      const subs = following.map((f) => f.sub);
      await Promise.all(subs.map((s) => s.waitFor(1)));
      await sleep(INTERVAL * 2);
      expect(await roles('leader')).toBe(2 * JOBS);
      return { ids, following, subs };
    };
    /**
     * Kills the primary holding the first job's keys, finishes half the jobs and changes the others while it is
     * down, waits for a replica to take over and the replicas to coordinate again, and checks that they do: one
     * leader per running job and credential, every replica listening to their channels again.
     */
    const failOver = async (ids: string[]) => {
      const [channel] = await channelsOf(ids.slice(0, 1));
      expect(channel).toBeDefined();
      const degradedBefore = await Promise.all(replicas.map((r) => metric(r, 'cluster_degraded_total')));
      await redis!.killPrimaryOf(channel!);
      const killedAt = Date.now();
      const [early, late] = [ids.slice(0, JOBS / 2), ids.slice(JOBS / 2)];
      for (const id of early) setJob(id, { status: 'Completed' });
      for (const id of late) setJob(id, { process: 50 });
      await redis!.waitForPromotion(30_000);
      const promotedAt = Date.now();
      await waitForDegraded(replicas, 0, 20_000, 'coordination again after the failover').catch((err: Error) => {
        // What each replica heard from Redis, to tell a slow failover from a replica that never recovered.
        const heard = replicas.map((r, i) => {
          const lines = r.logs.filter((l) => /redis|degraded|sentinel|cluster/i.test(JSON.stringify(l))).slice(-15);
          return `replica ${i}:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`;
        });
        throw new Error(`${err.message}\n${heard.join('\n')}`);
      });
      const settledAt = Date.now();
      // Some replica fell back to polling alone while no primary answered for its jobs.
      const degradedAfter = await Promise.all(replicas.map((r) => metric(r, 'cluster_degraded_total')));
      expect(degradedAfter.some((n, i) => n > degradedBefore[i]!)).toBe(true);

      await sleep(INTERVAL * 2);
      expect(await roles('leader')).toBe(2 * late.length);
      // Every replica listens again to the channels of the jobs that ran on, the killed primary's included.
      const channels = await channelsOf(late);
      expect(channels.length).toBe(2 * late.length);
      for (const c of channels) expect(await redis!.channelSubscribers(c)).toBe(replicas.length);
      return { early, late, killedAt, promotedAt, settledAt };
    };
    /** Finishes the given jobs; then every subscriber has ended on SUCCEEDED, none with an error. */
    const finish = async (ids: string[], subs: Collected[]) => {
      for (const id of ids) setJob(id, { status: 'Completed' });
      const ends = await Promise.all(subs.map((s) => s.done));
      expect(ends.every((e) => e.error === undefined)).toBe(true);
      expect(subs.every((s) => last(s)?.state === 'SUCCEEDED')).toBe(true);
    };

    beforeAll(async () => {
      sim = await createSimulator({ tokens: { [DEMO.token]: { projects: '*' } } });
      redis = await start();
      // Debug logs: ioredis's connection errors are kept, for the message of a failover that does not recover.
      replicas = await startReplicas(3, sim, { ...redis.env, REDIS_KEY_PREFIX: prefix, POLL_INTERVAL_MS: String(INTERVAL), LOG_LEVEL: 'debug' });
      await waitForDegraded(replicas, 0, 15_000, 'replicas to reach Redis');
    }, 90_000);

    afterAll(async () => {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await Promise.all(replicas.map((r) => r.stop()));
      await redis?.stop();
      await sim?.close();
    }, 30_000);

    it('three replicas poll each job once per interval, per credential', async () => {
      // A job with two credentials is two pollers (the service AK/SK, the client token): one leader each.
      const { ids, subs } = await startJobs();
      expect(await roles('follower')).toBe(4 * JOBS);
      const from = Date.now();
      await sleep(INTERVAL * 10);
      for (const id of ids) {
        const polls = pollsOf(id).filter((c) => c.at >= from).length;
        expect(polls).toBeGreaterThanOrEqual(2 * 8);
        expect(polls).toBeLessThanOrEqual(2 * 12); // ~20; three replicas polling on their own would make ~60
      }
      await finish(ids, subs);
    }, 30_000);

    it("a job's changes go only to the replicas that follow it", async () => {
      const id = addGaussDbJob(sim);
      const clientOf = (replica: ChildServer) => {
        const c = wsClient(replica.url);
        clients.push(c);
        return c;
      };
      const query = `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state progress } }`;
      const subs = [collect(clientOf(replicas[0]!), query), collect(clientOf(replicas[1]!), query)];
      await Promise.all(subs.map((s) => s.waitFor(1)));
      await sleep(INTERVAL * 2);
      const channel = (await channelsOf([id]))[0]!;
      // The two replicas with subscribers listen; the third hears nothing of this job.
      expect(await redis!.channelSubscribers(channel)).toBe(2);
      subs[1]!.unsubscribe();
      await waitFor(async () => (await redis!.channelSubscribers(channel)) === 1, INTERVAL * 5, 'the replica whose subscriber left to stop listening');
      setJob(id, { status: 'Completed' });
      expect((await subs[0]!.done).error).toBeUndefined();
      expect(last(subs[0]!)?.state).toBe('SUCCEEDED');
      await waitFor(async () => (await redis!.channelSubscribers(channel)) === 0, INTERVAL * 5, 'nobody to listen once the job ended');
    });

    it('a primary killed during live subscriptions: every subscriber reaches the terminal state, then one poller per job again', async () => {
      const { ids, following, subs } = await startJobs();
      // The primary holding the first job's keys dies; half the jobs finish while it is down.
      const { early, late, killedAt, promotedAt, settledAt } = await failOver(ids);
      const from = Date.now();
      await sleep(INTERVAL * 10);
      for (const id of late) {
        const polls = pollsOf(id).filter((c) => c.at >= from).length;
        expect(polls).toBeLessThanOrEqual(2 * 12); // one poller per job and credential again
      }
      // How long more than one replica polled a job: polls of one job and credential closer than half an interval.
      let doubleUntil = killedAt;
      for (const id of ids) {
        for (const kind of ['aksk', 'token']) {
          const times = pollsOf(id)
            .filter((c) => c.at >= killedAt && c.authKind === kind)
            .map((c) => c.at);
          times.forEach((t, i) => {
            if (i > 0 && t - times[i - 1]! < INTERVAL / 2) doubleUntil = Math.max(doubleUntil, t);
          });
        }
      }
      // When subscribers saw what happened while the primary was down: the change, and the jobs that finished.
      const arrival = (jobs: string[], seen: (m: Message) => boolean) =>
        Math.max(...following.filter((f) => jobs.includes(f.id)).map(({ sub }) => sub.receivedAt[sub.messages.findIndex(seen)]! - killedAt));
      const changeSeen = arrival(late, (m) => m.data?.['jobUpdated']?.progress === 50);
      const endSeen = arrival(early, (m) => m.data?.['jobUpdated']?.state === 'SUCCEEDED');
      console.info(
        `[${name}] after the kill: replica promoted at ${promotedAt - killedAt} ms, replicas coordinating at ${settledAt - killedAt} ms; ` +
          `every subscriber had the change made during the outage by ${changeSeen} ms and the jobs finished during it by ${endSeen} ms; ` +
          `more than one replica polled a job until ${doubleUntil - killedAt} ms (${doubleUntil - promotedAt} ms after the promotion was seen)`,
      );
      expect(doubleUntil).toBeLessThanOrEqual(from);

      await finish(late, subs);
      // The change made while the primary was down reached every subscriber of the jobs that ran on.
      const lateSubs = following.filter((f) => late.includes(f.id)).map((f) => f.sub);
      expect(lateSubs.every((s) => s.messages.some((m) => m.data?.['jobUpdated']?.progress === 50))).toBe(true);
    }, 120_000);

    it('the old primary rejoins as a replica and a second failover loses nothing either', async () => {
      const began = Date.now();
      await redis!.restartKilled();
      const rejoinedAt = Date.now();
      const { ids, subs } = await startJobs();
      // With Sentinel the promoted primary dies; in a Cluster the first job's shard, the promoted node or another.
      const { late, killedAt, promotedAt, settledAt } = await failOver(ids);
      await finish(late, subs);
      console.info(
        `[${name}] old primary back as a replica in ${rejoinedAt - began} ms; after the second kill: replica promoted at ` +
          `${promotedAt - killedAt} ms, replicas coordinating at ${settledAt - killedAt} ms`,
      );
    }, 120_000);

    it('keeps no token, AK or SK in any key or value', async () => {
      const entries = (await redis!.dump()).filter((e) => e.key.startsWith(`${prefix}:`));
      expect(entries.some((e) => e.key.endsWith('}:state'))).toBe(true);
      const everything = entries.map((e) => `${e.key}\n${e.value}`).join('\n');
      for (const secret of [DEMO.token, DEMO.sk, DEMO.ak]) expect(everything).not.toContain(secret);
    });
  });
}
