/**
 * Typed configuration, read once at start from the environment (README.md#configuration) and validated. Every mistake is
 * reported as one line naming the variable; `main` prints them and exits non-zero.
 */
import { z } from 'zod';
import type { AccessKeyCredentials } from './auth/credentials.js';
import { DEFAULT_LIMITS, type OperationLimits } from './graphql/limits.js';
import { UPSTREAM_SERVICES } from './upstream/endpoints.js';
import type { UpstreamHttpConfig } from './upstream/http.js';
import type { HostPort, RedisTarget } from './cluster/redis.js';

export interface Config {
  /** @default 4001 */
  port: number;
  /** @default '0.0.0.0' */
  host: string;
  /** @default 'simulator' */
  upstream: 'simulator' | 'huaweicloud';
  /** Region used when a JobRef names none. @default 'cn-north-4' */
  region: string;
  /** Project used when a JobRef names none. */
  projectId: string | null;
  /** Service credentials used when a request brings no token. */
  accessKey: AccessKeyCredentials | null;
  /** `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` overrides, keyed `SERVICE/region-id`, first is primary. */
  endpointOverrides: Map<string, string[]>;
  /** @default 3000 */
  pollIntervalMs: number;
  /** Where Redis is (one node, Sentinel or Cluster); null without Redis, every replica on its own. */
  redis: RedisTarget | null;
  /** Prefix of every Redis key and channel, so deployments can share a Redis. @default 'cloud-jobs-subgraph' */
  redisKeyPrefix: string;
  /** @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** @default true with the simulator, false with huaweicloud */
  explorer: boolean;
  upstreamHttp: UpstreamHttpConfig;
  /** Subscriptions one WebSocket connection may hold at once. @default 100 */
  maxSubscriptionsPerConnection: number;
  /** Jobs one process polls at once (one poller each). @default 10000 */
  maxPollers: number;
  /** Consecutive outage failures that open a host's circuit breaker. @default 5 */
  breakerThreshold: number;
  /** How long an open circuit fails fast before a trial call. @default 10000 */
  breakerHalfOpenMs: number;
  limits: OperationLimits;
  /** Largest accepted request body, and largest WebSocket message. @default 1048576 */
  maxRequestBytes: number;
  /** Heartbeat of every live connection (WebSocket ping); 0 turns it off. @default 15000 */
  keepAliveMs: number;
  /** Open WebSockets (and streaming HTTP subscriptions) one process accepts. @default 20000 */
  maxConnections: number;
  /**
   * URL prefixes a callback subscription's `callbackUrl` must start with (HTTP callback protocol); empty turns
   * callback mode off. @default [] (off)
   */
  subscriptionCallbackUrls: string[];
  /** @default true with the explorer on, false otherwise */
  introspection: boolean;
  /** Terminal jobs kept in memory per credential; `max` 0 disables. */
  terminalCache: { max: number; ttlMs: number };
  /** How old an observation of a running job may be when it answers a query; 0 turns the window off. @default 1000 */
  jobMaxAgeMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const OVERRIDE_PREFIX = 'HUAWEICLOUD_SDK_REGION_';

function intVar(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);
}

/** `host:port[,host:port…]`, IPv6 hosts in brackets: Sentinel and Cluster seed lists. */
const hostPortList = z
  .string()
  .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((a) => parseHostPort(a) !== null), 'must be a comma-separated list of host:port')
  .transform((list) => list.map((a) => parseHostPort(a)!));

function parseHostPort(text: string): HostPort | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2]!, port };
}

const boolVar = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .refine((s) => ['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'].includes(s), 'must be true or false')
  .transform((s) => ['true', '1', 'on', 'yes'].includes(s));

/** Every variable, its default and its range; the transform below turns them into a `Config`. */
const envSchema = z
  .object({
  PORT: intVar(0, 65535).default(4001),
  HOST: z.string().min(1).default('0.0.0.0'),
  UPSTREAM: z.enum(['simulator', 'huaweicloud'], { error: 'must be "simulator" or "huaweicloud"' }).default('simulator'),
  HUAWEICLOUD_REGION: z.string().regex(REGION_RE, 'must be a region id such as cn-north-4').default('cn-north-4'),
  HUAWEICLOUD_SDK_PROJECT_ID: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a project id (letters and digits)')
    .optional(),
  HUAWEICLOUD_SDK_AK: z.string().regex(/^[A-Za-z0-9]{1,128}$/, 'must be an access key id').optional(),
  HUAWEICLOUD_SDK_SK: z.string().min(1).optional(),
  HUAWEICLOUD_SDK_SECURITY_TOKEN: z.string().min(1).optional(),
  POLL_INTERVAL_MS: intVar(100, 3_600_000).default(3000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be the primary\'s name as the sentinels know it (letters, digits, . _ -)')
    .optional(),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  REDIS_USERNAME: z.string().regex(/^\S{1,256}$/, 'must be an ACL user name').optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  // No braces: the first `{…}` of a key must be the job's hash tag (cluster/keys.ts).
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 letters, digits or : _ . -')
    .default('cloud-jobs-subgraph'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EXPLORER: boolVar.optional(),
  UPSTREAM_TIMEOUT_MS: intVar(100, 120_000).default(10_000),
  UPSTREAM_RETRIES: intVar(0, 10).default(2),
  UPSTREAM_MAX_RETRY_AFTER_MS: intVar(0, 600_000).default(5000),
  UPSTREAM_CONCURRENCY: intVar(1, 200).default(10),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: intVar(1, 100_000).default(100),
  MAX_POLLERS: intVar(1, 1_000_000).default(10_000),
  BREAKER_THRESHOLD: intVar(1, 1000).default(5),
  BREAKER_HALF_OPEN_MS: intVar(10, 600_000).default(10_000),
  MAX_DEPTH: intVar(3, 100).default(DEFAULT_LIMITS.maxDepth),
  MAX_ALIASES: intVar(1, 1000).default(DEFAULT_LIMITS.maxAliases),
  MAX_TOKENS: intVar(100, 1_000_000).default(DEFAULT_LIMITS.maxTokens),
  MAX_UPSTREAM_CALLS: intVar(1, 100_000).default(DEFAULT_LIMITS.maxUpstreamCalls),
  MAX_REQUEST_BYTES: intVar(1024, 100 * 1024 * 1024).default(1024 * 1024),
  KEEPALIVE_MS: intVar(0, 3_600_000)
    .refine((n) => n === 0 || n >= 100, 'must be 0 (off) or at least 100')
    .default(15_000),
  MAX_CONNECTIONS: intVar(1, 10_000_000).default(20_000),
  SUBSCRIPTION_CALLBACK_URLS: z
    .string()
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .refine((urls) => urls.every(isHttpUrl), 'must be a comma-separated list of absolute http(s) URLs')
    .default([]),
  INTROSPECTION: boolVar.optional(),
  TERMINAL_CACHE_MAX: intVar(0, 10_000_000).default(10_000),
  TERMINAL_CACHE_TTL_MS: intVar(0, 86_400_000).default(60_000),
  JOB_MAX_AGE_MS: intVar(0, 3_600_000).default(1000),
  })
  .transform((env) => {
    const explorer = env.EXPLORER ?? env.UPSTREAM === 'simulator';
    return {
      port: env.PORT,
      host: env.HOST,
      upstream: env.UPSTREAM,
      region: env.HUAWEICLOUD_REGION,
      projectId: env.HUAWEICLOUD_SDK_PROJECT_ID ?? null,
      accessKey:
        env.HUAWEICLOUD_SDK_AK !== undefined && env.HUAWEICLOUD_SDK_SK !== undefined
          ? { ak: env.HUAWEICLOUD_SDK_AK, sk: env.HUAWEICLOUD_SDK_SK, securityToken: env.HUAWEICLOUD_SDK_SECURITY_TOKEN ?? null }
          : null,
      pollIntervalMs: env.POLL_INTERVAL_MS,
      redis: redisTarget(env),
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      logLevel: env.LOG_LEVEL,
      explorer,
      upstreamHttp: {
        timeoutMs: env.UPSTREAM_TIMEOUT_MS,
        maxRetries: env.UPSTREAM_RETRIES,
        maxRetryAfterMs: env.UPSTREAM_MAX_RETRY_AFTER_MS,
        concurrency: env.UPSTREAM_CONCURRENCY,
      },
      maxSubscriptionsPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxPollers: env.MAX_POLLERS,
      breakerThreshold: env.BREAKER_THRESHOLD,
      breakerHalfOpenMs: env.BREAKER_HALF_OPEN_MS,
      limits: {
        maxDepth: env.MAX_DEPTH,
        maxAliases: env.MAX_ALIASES,
        maxTokens: env.MAX_TOKENS,
        maxUpstreamCalls: env.MAX_UPSTREAM_CALLS,
      },
      maxRequestBytes: env.MAX_REQUEST_BYTES,
      keepAliveMs: env.KEEPALIVE_MS,
      maxConnections: env.MAX_CONNECTIONS,
      subscriptionCallbackUrls: env.SUBSCRIPTION_CALLBACK_URLS,
      introspection: env.INTROSPECTION ?? explorer,
      terminalCache: { max: env.TERMINAL_CACHE_MAX, ttlMs: env.TERMINAL_CACHE_TTL_MS },
      jobMaxAgeMs: env.JOB_MAX_AGE_MS,
    } satisfies Omit<Config, 'endpointOverrides'>;
  });

function redisTarget(env: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: HostPort[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_CLUSTER_NODES?: HostPort[] | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
}): RedisTarget | null {
  const credentials = { username: env.REDIS_USERNAME ?? null, password: env.REDIS_PASSWORD ?? null };
  if (env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME) return { mode: 'sentinel', sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME, ...credentials };
  if (env.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: env.REDIS_CLUSTER_NODES, ...credentials };
  return env.REDIS_URL ? { mode: 'single', url: env.REDIS_URL } : null;
}

/** The rules between the Redis variables, one line each (names only: a password never appears in an error). */
function checkRedisVariables(given: Record<string, string | undefined>, problems: string[]): void {
  const set = (name: string) => given[name] !== undefined;
  const places = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter(set);
  if (places.length > 1) {
    // One line: what else looks wrong follows from which of them was meant.
    problems.push(`${places.join(', ')}: set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES`);
    return;
  }
  if (set('REDIS_SENTINELS') !== set('REDIS_SENTINEL_NAME')) {
    problems.push(set('REDIS_SENTINELS') ? 'REDIS_SENTINEL_NAME: must be set with REDIS_SENTINELS' : 'REDIS_SENTINEL_NAME: needs REDIS_SENTINELS');
  }
  for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD']) {
    if (!set(name)) continue;
    if (set('REDIS_URL')) problems.push(`${name}: REDIS_URL carries its own credentials (redis://user:password@host:port)`);
    else if (!set('REDIS_SENTINELS') && !set('REDIS_CLUSTER_NODES')) problems.push(`${name}: needs REDIS_SENTINELS or REDIS_CLUSTER_NODES`);
  }
  if (set('REDIS_USERNAME') && !set('REDIS_PASSWORD')) problems.push('REDIS_USERNAME: must be set with REDIS_PASSWORD');
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseOverrides(env: NodeJS.ProcessEnv, problems: string[]): Map<string, string[]> {
  const overrides = new Map<string, string[]>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(OVERRIDE_PREFIX) || value === undefined) continue;
    const rest = name.slice(OVERRIDE_PREFIX.length);
    // Longest service name first: WORKSPACEAPP must not be read as WORKSPACE + "APP_...".
    const service = [...UPSTREAM_SERVICES].sort((a, b) => b.length - a.length).find((s) => rest.startsWith(`${s}_`));
    if (!service) {
      problems.push(`${name}: unknown service; expected one of ${UPSTREAM_SERVICES.join(', ')}`);
      continue;
    }
    const region = rest.slice(service.length + 1).toLowerCase().replace(/_/g, '-');
    const urls = value
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (urls.length === 0 || !urls.every(isHttpUrl)) {
      problems.push(`${name}: must be an http(s) URL or a comma-separated list of them`);
      continue;
    }
    overrides.set(`${service}/${region}`, urls.map((u) => u.replace(/\/+$/, '')));
  }
  return overrides;
}

/** Reads and validates the configuration; throws `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  // An empty variable counts as unset, as in a shell's `X= cmd`.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(given);
  // One line per variable: its first problem.
  const invalid = new Set<string>();
  for (const issue of parsed.error?.issues ?? []) {
    const name = String(issue.path[0]);
    if (invalid.has(name)) continue;
    invalid.add(name);
    problems.push(`${name}: ${issue.message}`);
  }
  const endpointOverrides = parseOverrides(env, problems);
  checkRedisVariables(given, problems);
  // A key pair needs both halves; a half that is invalid counts as missing.
  const hasAk = given['HUAWEICLOUD_SDK_AK'] !== undefined && !invalid.has('HUAWEICLOUD_SDK_AK');
  const hasSk = given['HUAWEICLOUD_SDK_SK'] !== undefined && !invalid.has('HUAWEICLOUD_SDK_SK');
  if (hasAk !== hasSk) {
    problems.push(`${hasAk ? 'HUAWEICLOUD_SDK_SK' : 'HUAWEICLOUD_SDK_AK'}: must be set together with ${hasAk ? 'HUAWEICLOUD_SDK_AK' : 'HUAWEICLOUD_SDK_SK'}`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return { ...parsed.data, endpointOverrides };
}
