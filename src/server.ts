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

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
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
        createContext(
          resolveCredential(findAuthToken(req.headers), serviceKeys),
          defaults,
          endpoints,
          (credential) => createLoaders({ clients, credential, concurrency: config.upstreamHttp.concurrency }),
        ),
    }),
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
    close() {
      closing ??= (async () => {
        await apollo.stop(); // stops accepting, drains in-flight requests, closes the http server
        await transport.close();
        if (ownsSimulator) await simulator?.close();
      })();
      return closing;
    },
  };
}
