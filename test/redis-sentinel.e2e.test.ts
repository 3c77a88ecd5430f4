/**
 * Three replicas on a Redis Sentinel set (one primary, one replica, three sentinels, ACL password) started from the
 * machine's redis-server: one poller per job, and the primary killed during live subscriptions (test/support/ha-suite.ts).
 */
import { Redis } from 'ioredis';
import { describeFailover } from './support/ha-suite.js';
import { scanAll, SentinelSet } from './support/redis-ha.js';

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
    channelSubscribers: async (channel) => {
      const primary = new Redis({ port: await set.primaryPort(), host: '127.0.0.1', password: PASSWORD, lazyConnect: true });
      try {
        const [, count] = (await primary.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
        return count;
      } finally {
        primary.disconnect();
      }
    },
    dump: () => scanAll(set.liveDataPorts, PASSWORD),
    stop: () => set.stop(),
  };
});
