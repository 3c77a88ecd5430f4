/**
 * Builds the whole subgraph: configuration in, a running server handle with `close()` out. `main` only wires
 * signals to `close()`; tests start it on port 0 and close it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from './config.js';
import { accessKeyCredential, findAuthToken, tokenCredential, type Credential } from './auth/credentials.js';
import { createLogger, type Logger } from './logger.js';
import { reportOnce } from './model/status.js';
import { CircuitBreakers } from './upstream/breakers.js';
import { EndpointResolver } from './upstream/endpoints.js';
import { UpstreamTransport } from './upstream/http.js';
import { createServiceClients } from './services/index.js';
import { createLoaders, type CloudPhoneBatch } from './loaders/index.js';
import { JobObservations } from './loaders/observations.js';
import { TerminalJobCache } from './loaders/terminal-cache.js';
import { ClusterCoordinator } from './cluster/coordinator.js';
import { RedisLink } from './cluster/redis.js';
import { RedisJobStore } from './cluster/job-store.js';
import { PollerRegistry } from './polling/registry.js';
import { buildSchema } from './graphql/schema.js';
import { createContext, type GraphQLContext } from './graphql/context.js';
import { createFormatError } from './graphql/format-error.js';
import { armor, parseOptions, upstreamBudgetPlugin } from './graphql/limits.js';
import { attachGraphqlWs } from './graphql/transports/websocket.js';
import { CallbackSubscriptions } from './graphql/transports/callback.js';
import { ConnectionLimiter } from './graphql/transports/connections.js';
import { SubscriptionRunner } from './graphql/transports/subscription-runner.js';
import { HttpSubscriptionStreams } from './graphql/transports/http-streams.js';
import { pendingEntryOf, ResponseCache, responseCacheFastPath, responseCachePlugin, type PendingEntry } from './graphql/response-cache.js';
import { sendBodyError } from './graphql/http-errors.js';
import { createMetrics, observeSources } from './observability/metrics.js';
import { operationMetricsPlugin } from './observability/apollo-plugin.js';
import { operationSpanPlugin, operationSpans } from './observability/spans.js';
import { observabilityRoutes } from './observability/routes.js';
import { createSimulator, DEMO, type Simulator } from './simulator/index.js';
import { demoTabs, explorerBuilt, explorerMiddleware, genericTabs } from './explorer/index.js';

export interface ServerOptions {
  logger?: Logger;
  /** A simulator the caller owns (tests); otherwise simulator mode starts its own. */
  simulator?: Simulator;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:4001/graphql */
  url: string;
  port: number;
  /** The embedded simulator in simulator mode, for test hooks; null against the real cloud. */
  simulator: Simulator | null;
  /** The shared pollers behind subscriptions (for tests and metrics). */
  pollers: PollerRegistry;
  /** Circuit breakers per upstream host. */
  breakers: CircuitBreakers;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const reportUnknown = reportOnce((service, rawStatus) => logger.warn({ service, rawStatus }, 'undocumented upstream status; mapped to UNKNOWN'));
  const metrics = createMetrics();
  // With Redis (one node, Sentinel or Cluster), replicas share pollers and the terminal-job cache; without it, everything stays in process.
  const redis = config.redis ? new RedisLink({ target: config.redis, logger }) : null;

  // The simulator only ever runs in simulator mode: never beside real credentials against the real cloud.
  let simulator: Simulator | null = null;
  let ownsSimulator = false;
  if (config.upstream === 'simulator') {
    simulator = options.simulator ?? null;
    if (!simulator) {
      simulator = await createSimulator({
        accessKeys: [{ ak: DEMO.ak, sk: DEMO.sk }, ...(config.accessKey ? [{ ak: config.accessKey.ak, sk: config.accessKey.sk }] : [])],
      });
      ownsSimulator = true;
    }
  }
  const serviceKeys = config.accessKey ?? (simulator ? { ak: DEMO.ak, sk: DEMO.sk, securityToken: null } : null);
  const defaults = { region: config.region, projectId: config.projectId ?? (simulator ? DEMO.projectId : null) };

  // Upstream: one breaker per host shared by queries and pollers.
  const endpoints = new EndpointResolver(config.endpointOverrides, simulator?.url ?? null);
  const breakers = new CircuitBreakers({ threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerHalfOpenMs, metrics });
  const transport = new UpstreamTransport({ ...config.upstreamHttp, endpoints, breakers, logger, metrics });
  // Pollers back off on their own schedule, so their calls are not retried inside a tick.
  const pollTransport = new UpstreamTransport({ ...config.upstreamHttp, maxRetries: 0, endpoints, breakers, logger, metrics });
  const clients = createServiceClients(transport, reportUnknown);
  const pollClients = createServiceClients(pollTransport, reportUnknown);
  const concurrency = config.upstreamHttp.concurrency;
  const terminalCache = new TerminalJobCache(config.terminalCache, redis ? new RedisJobStore(redis, config.redisKeyPrefix, 'terminal') : null);
  const coordinator = redis
    ? new ClusterCoordinator({ link: redis, prefix: config.redisKeyPrefix, intervalMs: config.pollIntervalMs, logger, metrics })
    : null;
  // One upstream read per running job at a time, and per window, for queries and pollers alike.
  const observations = new JobObservations<CloudPhoneBatch>(
    { maxAgeMs: config.jobMaxAgeMs, metrics },
    redis ? new RedisJobStore(redis, config.redisKeyPrefix, 'observed') : null,
  );
  const loadersFor = (credential: Credential) => createLoaders({ clients, credential, concurrency, metrics, terminalCache, observations });

  const pollers = new PollerRegistry({
    intervalMs: config.pollIntervalMs,
    maxPollers: config.maxPollers,
    logger,
    // Fresh loaders per tick: dedupe and Cloud Phone request_ids batching, no stale cache; a new observation each
    // tick (what they see answers queries), though a read in flight is shared.
    fetch: (keys, credential) =>
      createLoaders({ clients: pollClients, credential, concurrency, metrics, terminalCache, observations, fresh: true }).job.loadMany(keys),
    onTick: ({ failed }) => metrics.pollTicks.inc({ outcome: failed > 0 ? 'failed' : 'ok' }),
    coordination: coordinator ?? undefined,
  });
  coordinator?.start();
  const connections = new ConnectionLimiter(config.maxConnections, metrics.connectionsRefused);
  observeSources(metrics, {
    connections: () => connections.counts(),
    pollers: () => pollers.size,
    subscribers: () => pollers.subscriberCount,
    clusterRoles: coordinator ? () => coordinator.roles() : undefined,
  });

  // A client token wins over the service's AK/SK (whose fingerprint is computed once, not per request).
  const serviceCredential = serviceKeys ? accessKeyCredential(serviceKeys) : null;
  const credentialFor = (token: string | null): Credential | null => (token ? tokenCredential(token) : serviceCredential);
  const cacheHints = { terminalMaxAgeS: Math.floor(config.terminalCache.ttlMs / 1000), runningMaxAgeS: Math.floor(config.jobMaxAgeMs / 1000) };
  const contextFor = (token: string | null, responseCacheEntry: PendingEntry | null = null): GraphQLContext =>
    createContext(credentialFor(token), defaults, endpoints, loadersFor, pollers, cacheHints, responseCacheEntry);
  const responseCache = new ResponseCache(config.terminalCache);
  const baseFormatError = createFormatError(logger);
  const formatError: typeof baseFormatError = (formatted, error) => {
    const out = baseFormatError(formatted, error);
    metrics.errors.inc({ code: String(out.extensions?.['code'] ?? 'none') });
    return out;
  };

  const schema = buildSchema();
  const protection = armor(config.limits, !config.introspection);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API responses are not conditional; hashing every body costs CPU for nothing
  const fastPath = responseCacheFastPath(responseCache, {
    path: GRAPHQL_PATH,
    maxBytes: config.maxRequestBytes,
    credentialOf: (headers) => credentialFor(findAuthToken(headers)),
    observation: (key) => observations.current(key),
  });
  const httpServer = http.createServer((req, res) => fastPath(req, res, () => app(req, res)));
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    logger, // Apollo's own messages go through the same structured JSON log
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handlers would race it (and do outside NODE_ENV=test).
    stopOnTerminationSignals: false,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: parseOptions(config.limits),
    validationRules: protection.validationRules,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // graphql-armor types its plugins against Apollo's CJS declarations; they are the same plugins.
      ...(protection.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      upstreamBudgetPlugin(config.limits.maxUpstreamCalls),
      responseCachePlugin((ctx) => ctx.responseCacheEntry),
      operationMetricsPlugin(metrics),
      operationSpanPlugin(),
    ],
  });
  await apollo.start();

  let closing = false;
  app.use(observabilityRoutes(metrics, () => !closing));
  // A browser's page load of /graphql gets the self-hosted explorer; everything else goes to the API.
  app.use(GRAPHQL_PATH, explorerMiddleware({ enabled: config.explorer, tabs: simulator ? demoTabs() : genericTabs() }));
  if (config.explorer && !explorerBuilt()) logger.warn('explorer assets are missing; run `node scripts/build-explorer.mjs`');
  // Subscriptions over SSE, multipart and callbacks: run outside Apollo on the same limits as graphql-ws.
  const subscriptionRunner = new SubscriptionRunner({
    schema,
    context: contextFor,
    validationRules: protection.validationRules,
    maxTokens: config.limits.maxTokens,
    maxUpstreamCalls: config.limits.maxUpstreamCalls,
    formatError,
    metrics,
  });
  const httpStreams = new HttpSubscriptionStreams({ runner: subscriptionRunner, connections, keepAliveMs: config.keepAliveMs });
  // Apollo's HTTP callback protocol: answered in front of Apollo (see graphql/transports/callback.ts for why not its plugin).
  const callbacks = new CallbackSubscriptions({
    runner: subscriptionRunner,
    allowedPrefixes: config.subscriptionCallbackUrls,
    timeoutMs: config.upstreamHttp.timeoutMs,
    connections,
    logger,
  });
  app.use(
    GRAPHQL_PATH,
    operationSpans(),
    express.json({ limit: config.maxRequestBytes }),
    httpStreams.handler,
    callbacks.middleware,
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(findAuthToken(req.headers), pendingEntryOf(req)),
    }),
  );
  // Body parser failures (too large, not JSON) answer in GraphQL's shape, never an HTML error page.
  const bodyErrors: ErrorRequestHandler = (err: { status?: number }, _req, res, next) => {
    if (res.headersSent) return next(err);
    sendBodyError(res, err.status ?? 500, config.maxRequestBytes);
  };
  app.use(bodyErrors);

  // graphql-ws on the same server and path as HTTP.
  const ws = attachGraphqlWs({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    context: contextFor,
    validationRules: protection.validationRules,
    maxTokens: config.limits.maxTokens,
    maxUpstreamCalls: config.limits.maxUpstreamCalls,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxPayloadBytes: config.maxRequestBytes,
    keepAliveMs: config.keepAliveMs,
    connections,
    formatError,
    metrics,
    logger,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, upstream: config.upstream, simulator: simulator?.url ?? null }, 'cloud-jobs-subgraph listening');

  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    simulator,
    pollers,
    breakers,
    close() {
      closed ??= (async () => {
        closing = true; // /readyz answers 503 from now on
        // WebSockets first with 1001 Going Away (not `complete`, which a client would read as "job done"),
        // HTTP streams with their protocol's end (neither SSE nor multipart has another), then the pollers, then
        // HTTP: stop accepting and drain in-flight requests.
        await ws.dispose();
        await httpStreams.close();
        await callbacks.close(); // `complete` with a shutdown error to every router, before the pollers stop
        pollers.close(); // a replica leading jobs hands them over to the others
        await coordinator?.close();
        await redis?.close();
        await apollo.stop();
        await Promise.all([transport.close(), pollTransport.close()]);
        if (ownsSimulator) await simulator?.close();
      })();
      return closed;
    },
  };
}
