/**
 * Three replicas on a Redis Cluster (three primaries with a replica each, an ACL user confined to the deployment's
 * keys and channels) started from the machine's
 * redis-server: one poller per job, and the primary of a job's slot killed during live subscriptions
 * (test/support/ha-suite.ts).
 */
import { describeFailover } from './support/ha-suite.js';
import { channelSubscribers, RedisCluster, scanAll } from './support/redis-ha.js';

/** An ACL user confined to the test deployments' keys and channels (every prefix starts so: support/replicas.ts). */
const AUTH = { username: 'subgraph', password: 'cluster-password', rules: '~cjs-test-* &cjs-test-* +@all' };

describeFailover('Redis Cluster', async () => {
  const cluster = new RedisCluster(AUTH);
  await cluster.start();
  let killed = 0;
  return {
    env: { REDIS_CLUSTER_NODES: cluster.nodesVar, REDIS_USERNAME: AUTH.username, REDIS_PASSWORD: AUTH.password },
    killPrimaryOf: async (key) => {
      killed = await cluster.primaryPortForKey(key);
      await cluster.killNode(killed);
    },
    waitForPromotion: async (timeoutMs) => void (await cluster.waitForPromotion(killed, timeoutMs)),
    restartKilled: () => cluster.restart(killed),
    channelSubscribers: async (channel) => channelSubscribers(await cluster.primaryPortForKey(channel), AUTH, channel, true),
    dump: () => scanAll(cluster.livePorts, AUTH),
    stop: () => cluster.stop(),
  };
});
