/**
 * Builds the whole subgraph: configuration in, a running server handle with `close()` out. `main` only wires
 * signals to `close()`; tests start it on port 0 and close it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from './config.js';
import { findAuthToken, resolveCredential } from './auth/credentials.js';
import { createLogger, type Logger } from './logger.js';
import { onUnknownStatus } from './model/normalise.js';
import { EndpointResolver } from './upstream/endpoints.js';
import { UpstreamTransport } from './upstream/http.js';
import { createServiceClients } from './services/index.js';
import { createLoaders } from './loaders/index.js';
import { buildSchema } from './graphql/schema.js';
import { createContext, type GraphQLContext } from './graphql/context.js';
import { createFormatError } from './graphql/format-error.js';
import { createSimulator, DEMO, type Simulator } from './simulator/index.js';
import { PollerRegistry } from './polling/registry.js';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors.js';
import type { Credential } from './auth/credentials.js';

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
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const MAX_BODY = '1mb';

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  onUnknownStatus((service, rawStatus) => logger.warn({ service, rawStatus }, 'undocumented upstream status; mapped to UNKNOWN'));

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
  const serviceKeys =
    config.accessKey ?? (simulator ? { ak: DEMO.ak, sk: DEMO.sk, securityToken: null } : null);
  const defaults = { region: config.region, projectId: config.projectId ?? (simulator ? DEMO.projectId : null) };

  const endpoints = new EndpointResolver(config.endpointOverrides, simulator?.url ?? null);
  const transport = new UpstreamTransport({ ...config.upstreamHttp, endpoints, logger });
  const clients = createServiceClients(transport);
  const loadersFor = (credential: Credential) =>
    createLoaders({ clients, credential, concurrency: config.upstreamHttp.concurrency });

  // Pollers back off on their own schedule, so their calls are not retried inside a tick.
  const pollTransport = new UpstreamTransport({ ...config.upstreamHttp, maxRetries: 0, endpoints, logger });
  const pollClients = createServiceClients(pollTransport);
  const pollers = new PollerRegistry({
    intervalMs: config.pollIntervalMs,
    maxPollers: config.maxPollers,
    logger,
    // Fresh loaders per tick: dedupe and Cloud Phone request_ids batching, no stale cache.
    fetch: (keys, credential) =>
      createLoaders({ clients: pollClients, credential, concurrency: config.upstreamHttp.concurrency }).job.loadMany(keys),
  });
  const schema = buildSchema();

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    logger, // Apollo's own messages go through the same structured JSON log
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError(logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  app.use(
    GRAPHQL_PATH,
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createContext(resolveCredential(findAuthToken(req.headers), serviceKeys), defaults, endpoints, loadersFor, pollers),
    }),
  );

  // graphql-ws on the same server and path as HTTP.
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const formatError = createFormatError(logger);
  const wsHandle = useServer(
    {
      schema,
      context: (ctx) => {
        // The token may come in connectionParams (top level or under `headers`), or on the upgrade request.
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const token =
          findAuthToken(params) ??
          findAuthToken(params['headers'] as Record<string, unknown> | undefined) ??
          findAuthToken(ctx.extra.request.headers);
        return createContext(resolveCredential(token, serviceKeys), defaults, endpoints, loadersFor, pollers);
      },
      onSubscribe: (ctx) => {
        // `subscriptions` already holds the one being started.
        if (Object.keys(ctx.subscriptions).length > config.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(
              `At most ${config.maxSubscriptionsPerConnection} subscriptions per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`,
              { extensions: { code: ErrorCode.BadUserInput } },
            ),
          ];
        }
        return undefined;
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)) as never,
    },
    wsServer,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, upstream: config.upstream, simulator: simulator?.url ?? null }, 'cloud-jobs-subgraph listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    simulator,
    pollers,
    close() {
      closing ??= (async () => {
        // WebSockets first with 1001 Going Away (not `complete`, which a client would read as "job done"),
        // then the pollers, then HTTP: stop accepting and drain in-flight requests.
        await wsHandle.dispose();
        pollers.close();
        await apollo.stop();
        await Promise.all([transport.close(), pollTransport.close()]);
        if (ownsSimulator) await simulator?.close();
      })();
      return closing;
    },
  };
}
