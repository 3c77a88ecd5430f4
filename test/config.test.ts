import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration (README.md#configuration)', () => {
  it('has working defaults: simulator, port 4001, cn-north-4, explorer on', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4001,
      host: '0.0.0.0',
      upstream: 'simulator',
      region: 'cn-north-4',
      projectId: null,
      accessKey: null,
      pollIntervalMs: 3000,
      redis: null,
      logLevel: 'info',
      explorer: true,
      keepAliveMs: 15_000,
      maxConnections: 20_000,
    });
  });

  it('reads JOB_MAX_AGE_MS: 1000 by default, 0 turns the window off, whole milliseconds only', () => {
    expect(loadConfig({}).jobMaxAgeMs).toBe(1000);
    expect(loadConfig({ JOB_MAX_AGE_MS: '0' }).jobMaxAgeMs).toBe(0);
    expect(loadConfig({ JOB_MAX_AGE_MS: '2500' }).jobMaxAgeMs).toBe(2500);
    expect(problems({ JOB_MAX_AGE_MS: '-1' })).toEqual(['JOB_MAX_AGE_MS: must be a whole number']);
    expect(problems({ JOB_MAX_AGE_MS: '3600001' })).toEqual(['JOB_MAX_AGE_MS: must be between 0 and 3600000']);
  });

  it('reads the connection edges: KEEPALIVE_MS (0 is off) and MAX_CONNECTIONS', () => {
    expect(loadConfig({ KEEPALIVE_MS: '0', MAX_CONNECTIONS: '5' })).toMatchObject({ keepAliveMs: 0, maxConnections: 5 });
    expect(problems({ KEEPALIVE_MS: '50' })).toEqual(['KEEPALIVE_MS: must be 0 (off) or at least 100']);
    expect(problems({ MAX_CONNECTIONS: '0' })).toEqual(['MAX_CONNECTIONS: must be between 1 and 10000000']);
  });

  it('reads SUBSCRIPTION_CALLBACK_URLS: off by default, a list of absolute http(s) URLs otherwise', () => {
    expect(loadConfig({}).subscriptionCallbackUrls).toEqual([]);
    expect(loadConfig({ SUBSCRIPTION_CALLBACK_URLS: ' http://router:4000/callback/ , https://gw.example.com/callback' }).subscriptionCallbackUrls).toEqual([
      'http://router:4000/callback/',
      'https://gw.example.com/callback',
    ]);
    const line = 'SUBSCRIPTION_CALLBACK_URLS: must be a comma-separated list of absolute http(s) URLs';
    expect(problems({ SUBSCRIPTION_CALLBACK_URLS: 'http://router:4000/callback,/callback' })).toEqual([line]);
    expect(problems({ SUBSCRIPTION_CALLBACK_URLS: 'ftp://router/callback' })).toEqual([line]);
    expect(problems({ SUBSCRIPTION_CALLBACK_URLS: 'router:4000' })).toEqual([line]);
  });

  it('reads where Redis is: one node, a Sentinel-managed primary, or a Cluster', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@redis.example.com:6380/0' }).redis).toEqual({ mode: 'single', url: 'rediss://user:pw@redis.example.com:6380/0' });
    expect(loadConfig({ REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'jobs', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'jobs',
      username: null,
      password: 'pw',
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      username: 'app',
      password: 'pw',
    });
  });

  it('takes at most one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES, said in one line', () => {
    const one = 'set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES';
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379' })).toEqual([`REDIS_URL, REDIS_SENTINELS: ${one}`]);
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'n:7000', REDIS_PASSWORD: 'pw' })).toEqual([`REDIS_URL, REDIS_CLUSTER_NODES: ${one}`]);
    expect(problems({ REDIS_URL: 'redis://r', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'n:7000' })).toEqual([
      `REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES: ${one}`,
    ]);
  });

  it('checks the Redis seed lists, the sentinel name and where credentials belong, never echoing a password', () => {
    const list = 'must be a comma-separated list of host:port';
    expect(problems({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'm' })).toEqual([`REDIS_SENTINELS: ${list}`]);
    expect(problems({ REDIS_CLUSTER_NODES: 'n1:7000,n2:70000' })).toEqual([`REDIS_CLUSTER_NODES: ${list}`]);
    expect(problems({ REDIS_CLUSTER_NODES: 'redis://n1:7000' })).toEqual([`REDIS_CLUSTER_NODES: ${list}`]);
    expect(problems({ REDIS_SENTINELS: 's1:26379' })).toEqual(['REDIS_SENTINEL_NAME: must be set with REDIS_SENTINELS']);
    expect(problems({ REDIS_SENTINEL_NAME: 'm' })).toEqual(['REDIS_SENTINEL_NAME: needs REDIS_SENTINELS']);
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'hunter2-secret' })).toEqual([
      'REDIS_PASSWORD: REDIS_URL carries its own credentials (redis://user:password@host:port)',
    ]);
    expect(problems({ REDIS_PASSWORD: 'hunter2-secret' })).toEqual(['REDIS_PASSWORD: needs REDIS_SENTINELS or REDIS_CLUSTER_NODES']);
    expect(problems({ REDIS_CLUSTER_NODES: 'n:7000', REDIS_USERNAME: 'app' })).toEqual(['REDIS_USERNAME: must be set with REDIS_PASSWORD']);
    expect(problems({ REDIS_URL: 'redis://r', REDIS_PASSWORD: 'hunter2-secret', REDIS_USERNAME: 'app' }).join('\n')).not.toContain('hunter2');
  });

  it('turns the explorer off by default against the real cloud', () => {
    expect(loadConfig({ UPSTREAM: 'huaweicloud' }).explorer).toBe(false);
    expect(loadConfig({ UPSTREAM: 'huaweicloud', EXPLORER: 'true' }).explorer).toBe(true);
  });

  it('reads credentials and endpoint overrides as the official SDKs do', () => {
    const config = loadConfig({
      HUAWEICLOUD_SDK_AK: 'AKEXAMPLE',
      HUAWEICLOUD_SDK_SK: 'secret',
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sts',
      HUAWEICLOUD_SDK_REGION_WORKSPACEAPP_AP_SOUTHEAST_1: 'http://127.0.0.1:1/, http://127.0.0.1:2',
      HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4: 'https://ws.example.com',
    });
    expect(config.accessKey).toEqual({ ak: 'AKEXAMPLE', sk: 'secret', securityToken: 'sts' });
    expect(config.endpointOverrides.get('WORKSPACEAPP/ap-southeast-1')).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    expect(config.endpointOverrides.get('WORKSPACE/cn-north-4')).toEqual(['https://ws.example.com']);
  });

  it('names each bad variable on its own line', () => {
    const found = problems({
      PORT: 'eighty',
      UPSTREAM: 'aws',
      POLL_INTERVAL_MS: '5',
      HUAWEICLOUD_SDK_AK: 'AKONLY',
      HUAWEICLOUD_SDK_REGION_FOO_CN_NORTH_4: 'http://x',
      HUAWEICLOUD_SDK_REGION_CPH_CN_NORTH_4: 'ftp://x',
      REDIS_URL: 'localhost:6379',
    });
    expect(found.map((line) => line.split(':')[0])).toEqual(
      expect.arrayContaining([
        'PORT',
        'UPSTREAM',
        'POLL_INTERVAL_MS',
        'REDIS_URL',
        'HUAWEICLOUD_SDK_REGION_FOO_CN_NORTH_4',
        'HUAWEICLOUD_SDK_REGION_CPH_CN_NORTH_4',
        'HUAWEICLOUD_SDK_SK',
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('never echoes a secret value in a problem line', () => {
    const found = problems({ HUAWEICLOUD_SDK_SK: 'super-secret-value' });
    expect(found.join('\n')).not.toContain('super-secret-value');
  });
});
