/**
 * Three replicas on a Redis Sentinel set (one primary, one replica, three sentinels, ACL password) started from the
 * machine's redis-server: one poller per job, and the primary killed during live subscriptions (test/support/ha-suite.ts).
 */
import { describe, expect, it } from 'vitest';
import { createSimulator, DEMO } from '../src/simulator/index.js';
import { describeFailover } from './support/ha-suite.js';
import { addGaussDbJob } from './support/jobs.js';
import { startChild, type ChildServer } from './support/processes.js';
import { channelSubscribers, scanAll, SentinelSet } from './support/redis-ha.js';
import { metric, replicaEnv, uniquePrefix, waitForDegraded } from './support/replicas.js';
import { collect, wsClient } from './support/subscriptions.js';

const PASSWORD = 'sentinel-set-password';

describeFailover('Redis Sentinel', async () => {
  const set = new SentinelSet({ name: 'jobs', password: PASSWORD });
  await set.start();
  let killed = 0;
  return {
    env: { REDIS_SENTINELS: set.sentinelsVar, REDIS_SENTINEL_NAME: set.name, REDIS_PASSWORD: PASSWORD },
    killPrimaryOf: async () => {
      killed = await set.killPrimary();
    },
    waitForPromotion: async (timeoutMs) => void (await set.waitForFailover(killed, timeoutMs)),
    restartKilled: () => set.restart(killed),
    channelSubscribers: async (channel) => channelSubscribers(await set.primaryPort(), { password: PASSWORD }, channel),
    dump: () => scanAll(set.liveDataPorts, PASSWORD),
    stop: () => set.stop(),
  };
});

describe('sentinels that require a password themselves (as Bitnami’s chart sets up)', () => {
  it('finds the credentials the sentinels take (none, user and password, password alone) and coordinates', async () => {
    const sim = await createSimulator();
    // Data nodes with an ACL user; sentinels with the same password as their own `requirepass`.
    const set = new SentinelSet({ name: 'jobs', username: 'subgraph', password: PASSWORD, sentinelPassword: PASSWORD });
    let replica: ChildServer | null = null;
    try {
      await set.start();
      replica = await startChild('src/main.ts', replicaEnv(sim, {
        REDIS_SENTINELS: set.sentinelsVar,
        REDIS_SENTINEL_NAME: set.name,
        REDIS_USERNAME: 'subgraph',
        REDIS_PASSWORD: PASSWORD,
        REDIS_KEY_PREFIX: uniquePrefix(),
        POLL_INTERVAL_MS: '400',
      }));
      await waitForDegraded([replica], 0, 15_000, 'the replica to reach the primary through the sentinels');
      const id = addGaussDbJob(sim);
      const client = wsClient(replica.url);
      try {
        const sub = collect(client, `subscription { jobUpdated(ref: { service: GAUSSDB_MYSQL, jobId: "${id}" }) { state } }`);
        await sub.waitFor(1);
        expect(await metric(replica, 'cluster_jobs', 'role="leader"')).toBe(1);
        sim.store.update('gaussdb', DEMO.projectId, id, { status: 'Completed' });
        expect((await sub.done).error).toBeUndefined();
      } finally {
        await client.dispose();
      }
      expect(JSON.stringify(replica.logs)).not.toContain(PASSWORD);
    } finally {
      await replica?.stop();
      await set.stop();
      await sim.close();
    }
  }, 60_000);
});
