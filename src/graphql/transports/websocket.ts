/**
 * graphql-ws on the HTTP server's upgrade of the GraphQL path, through our own adapter for `ws` around
 * graphql-ws's socket-agnostic core (`makeServer`). The adapter keeps the edges bounded:
 * - a message larger than MAX_REQUEST_BYTES closes the socket with 1009 before it is buffered whole (`ws`
 *   checks each frame's declared length);
 * - one heartbeat for all sockets every KEEPALIVE_MS: a peer that has not answered the previous ping is
 *   terminated, which ends its subscriptions and so frees their pollers;
 * - MAX_CONNECTIONS: an upgrade beyond it gets HTTP 503 and no socket;
 * - a socket that does not send `connection_init` within CONNECTION_INIT_WAIT_MS is closed with 4408;
 * - socket errors a client can cause are logged as such, not as internal errors (graphql-ws's own `ws`
 *   adapter prints each one with console.error).
 * The same operation limits as HTTP apply (graphql/operation-gate.ts), and a per-connection subscription cap.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { findAuthToken } from '../../auth/credentials.js';
import { ErrorCode } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { CONNECTIONS_FULL_MESSAGE, type ConnectionLimiter } from './connections.js';
import type { GraphQLContext } from '../context.js';
import { OperationGate } from '../operation-gate.js';

/** graphql-ws's own default, kept explicit because the README promises it. */
export const CONNECTION_INIT_WAIT_MS = 3000;
/** How long a peer whose message was too large has to read our 1009 close frame before the socket ends. */
const OVERSIZED_CLOSE_GRACE_MS = 1000;

export interface GraphqlWsOptions {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  /** Builds an operation's context from the token the connection presented (or null). */
  context: (token: string | null) => GraphQLContext;
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  maxUpstreamCalls: number;
  maxSubscriptionsPerConnection: number;
  /** Largest message a client may send (MAX_REQUEST_BYTES). */
  maxPayloadBytes: number;
  /** Heartbeat period (KEEPALIVE_MS); 0 turns it off. */
  keepAliveMs: number;
  connections: ConnectionLimiter;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  metrics: Metrics;
  logger: Logger;
}

interface Extra {
  socket: WebSocket;
  request: http.IncomingMessage;
}

export function attachGraphqlWs(options: GraphqlWsOptions): { dispose(): Promise<void> } {
  const server = makeGraphqlWsServer(options);
  const wsServer = new WebSocketServer({ noServer: true, path: options.path, maxPayload: options.maxPayloadBytes, handleProtocols });
  const { logger, metrics } = options;

  // The TCP socket under each WebSocket, to stop reading from a peer that sent too large a message.
  const rawSockets = new WeakMap<WebSocket, Duplex>();
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Another path: `ws` answers 400 itself, without taking a connection slot.
    if (!wsServer.shouldHandle(request)) return wsServer.handleUpgrade(request, socket, head, () => undefined);
    const release = options.connections.tryOpen('websocket');
    if (!release) return refuseUpgrade(socket, CONNECTIONS_FULL_MESSAGE);
    // The raw socket closes exactly once, whether the handshake failed or the WebSocket ended later.
    socket.once('close', release);
    wsServer.handleUpgrade(request, socket, head, (ws) => {
      rawSockets.set(ws, socket);
      wsServer.emit('connection', ws, request);
    });
  };
  options.httpServer.on('upgrade', onUpgrade);

  // One timer for every socket (the pattern `ws` documents), not one per connection.
  const awaitingPong = new WeakSet<WebSocket>();
  const heartbeat =
    options.keepAliveMs > 0
      ? setInterval(() => {
          for (const ws of wsServer.clients) {
            if (awaitingPong.has(ws)) {
              metrics.heartbeatTimeouts.inc({ transport: 'websocket' });
              ws.terminate();
              continue;
            }
            awaitingPong.add(ws);
            ws.ping();
          }
        }, options.keepAliveMs)
      : null;

  wsServer.on('connection', (ws: WebSocket, request: http.IncomingMessage) => {
    ws.on('pong', () => awaitingPong.delete(ws));
    // `ws` closes the socket itself on these (1009 for a message over maxPayload, 1002 for a bad frame):
    // the client's fault, so no internal-error log; without a listener the error would crash the process.
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.oversizedMessages.inc({ transport: 'websocket' });
        // `ws` has sent the 1009 close frame, and would now read and discard the rest of the message while it
        // waits for the peer's own close frame (which comes only after it): stop reading, end the socket soon.
        const raw = rawSockets.get(ws);
        setImmediate(() => raw?.pause());
        setTimeout(() => ws.terminate(), OVERSIZED_CLOSE_GRACE_MS).unref();
      }
      logger.debug({ code: err.code, message: err.message }, 'websocket closed after a client error');
    });
    const closed = server.opened(
      {
        protocol: ws.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (ws.readyState !== ws.OPEN) return resolve();
            ws.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => ws.close(code, reason),
        onMessage: (cb) =>
          ws.on('message', async (data: Buffer) => {
            try {
              await cb(String(data));
            } catch (err) {
              logger.error({ err }, 'internal error while handling a websocket message');
              ws.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket: ws, request },
    );
    ws.once('close', (code: number, reason: Buffer) => {
      awaitingPong.delete(ws);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      options.connections.close();
      options.httpServer.off('upgrade', onUpgrade);
      if (heartbeat) clearInterval(heartbeat);
      // 1001 Going Away, not `complete`: a client would read `complete` as "the job is done".
      for (const ws of wsServer.clients) ws.close(1001, 'Going away');
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** An upgrade the process cannot take: an HTTP answer on the raw socket, and no WebSocket. */
function refuseUpgrade(socket: Duplex, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** graphql-ws's protocol core with our credentials, limits and error vocabulary. */
function makeGraphqlWsServer(options: GraphqlWsOptions) {
  const gate = new OperationGate(options);
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => options.formatError(e.toJSON(), e));
  return makeServer<Record<string, unknown> | undefined, Extra>({
    schema: options.schema,
    connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
    context: (ctx) => {
      // The token may come in connectionParams (top level or under `headers`), or on the upgrade request.
      const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
      const token =
        findAuthToken(params) ??
        findAuthToken(params['headers'] as Record<string, unknown> | undefined) ??
        findAuthToken(ctx.extra.request.headers);
      return options.context(token);
    },
    onSubscribe: (ctx, _id, payload) => {
      // `subscriptions` already holds the one being started.
      if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
        return [
          new GraphQLError(`At most ${options.maxSubscriptionsPerConnection} subscriptions per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`, {
            extensions: { code: ErrorCode.BadUserInput },
          }),
        ];
      }
      const checked = gate.check(payload);
      if (checked.errors) return [...checked.errors];
      if (checked.operation) options.metrics.operations.inc({ type: checked.operation.operation });
      return { schema: options.schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
    },
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
    onError: (_ctx, _id, _payload, errors) => format(errors) as never,
  });
}
