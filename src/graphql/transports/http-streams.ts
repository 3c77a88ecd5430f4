/**
 * Subscriptions streamed in the response of one HTTP request on the GraphQL path:
 * - GraphQL over SSE, graphql-sse's "distinct connections mode": `POST` (JSON body) or `GET` (query params) with
 *   `Accept: text/event-stream`; `event: next` per result, `event: complete` at the end, `:` comment heartbeats;
 * - Apollo's multipart subscription protocol: `POST` with `Accept: multipart/mixed;subscriptionSpec=1.0` (alone
 *   or among other types); `{"payload":…}` parts, `{}` heartbeat parts, `{"payload":null,"errors":…}` for a
 *   transport failure, and the closing boundary at the end.
 * Only subscription operations are taken here; anything else goes on to Apollo unchanged. Each stream holds a
 * MAX_CONNECTIONS slot (HTTP 503 beyond it, before any byte is streamed), one heartbeat timer per protocol covers
 * every stream, a client that goes away ends its subscription (and so its share of a poller), and `close()`
 * ends every stream with its protocol's own completion.
 */
import type http from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { GraphQLError, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { findAuthToken } from '../../auth/credentials.js';
import { CONNECTIONS_FULL_MESSAGE, type ConnectionLimiter } from './connections.js';
import type { OperationRequest } from '../operation-gate.js';
import type { AcceptedSubscription, SubscriptionRunner } from './subscription-runner.js';

export type StreamProtocol = 'sse' | 'multipart';

/** Apollo's multipart protocol requires a heartbeat at least this often. */
export const MULTIPART_MAX_HEARTBEAT_MS = 5000;
/**
 * A stream whose client has not read this much of what we sent is cut: pushes are seconds apart and small, so
 * only a peer that stopped reading gets here, and its buffer must not grow without bound.
 */
export const MAX_UNREAD_BYTES = 1024 * 1024;

const MULTIPART_BOUNDARY = 'graphql';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** How one protocol frames what a subscription sends. */
interface Framing {
  readonly headers: Readonly<Record<string, string>>;
  /** Written right after the headers. */
  readonly open: string;
  readonly heartbeat: string;
  readonly complete: string;
  next(result: FormattedExecutionResult): string;
  /** A failure of the transport itself, not of the operation. */
  transportError(errors: readonly GraphQLFormattedError[]): string;
}

// As graphql-sse prints them: `complete` has an empty `data:` field.
const sseEvent = (event: 'next' | 'complete', data: string) => `event: ${event}\ndata:${data ? ` ${data}` : ''}\n\n`;
const SSE: Framing = {
  headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
  open: '',
  heartbeat: ':\n\n',
  complete: sseEvent('complete', ''),
  next: (result) => sseEvent('next', JSON.stringify(result)),
  // graphql-sse has no error event: the errors travel as a result, and `complete` follows.
  transportError: (errors) => sseEvent('next', JSON.stringify({ errors })),
};

/**
 * A reader only knows a part has ended when the next delimiter arrives, so each part is sent with the delimiter
 * that follows it (Apollo Client would otherwise hold every result until the next heartbeat). The bytes are the
 * protocol's: `\r\n--graphql\r\n<headers>\r\n\r\n<json>` per part and `\r\n--graphql--\r\n` at the end.
 */
const DELIMITER = `\r\n--${MULTIPART_BOUNDARY}`;
const part = (json: string) => `\r\ncontent-type: ${JSON_CONTENT_TYPE}\r\n\r\n${json}${DELIMITER}`;
const MULTIPART: Framing = {
  headers: { 'content-type': `multipart/mixed;boundary="${MULTIPART_BOUNDARY}";subscriptionSpec="1.0"`, 'cache-control': 'no-cache' },
  open: DELIMITER,
  heartbeat: part('{}'),
  complete: '--\r\n',
  next: (result) => part(JSON.stringify({ payload: result })),
  transportError: (errors) => part(JSON.stringify({ payload: null, errors })),
};

const FRAMINGS: Readonly<Record<StreamProtocol, Framing>> = { sse: SSE, multipart: MULTIPART };

/** The streaming protocol an `Accept` header asks for (the first one it lists), or null. */
export function streamProtocolOf(method: string, accept: string | undefined): StreamProtocol | null {
  if (!accept || (method !== 'GET' && method !== 'POST')) return null;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type === 'text/event-stream') return 'sse';
    // Apollo Client sends `subscriptionSpec=1.0`, the README and some clients `subscriptionSpec="1.0"`.
    if (type === 'multipart/mixed' && method === 'POST' && params.some((p) => p.replace(/\s/g, '').replace(/"/g, '') === 'subscriptionspec=1.0')) {
      return 'multipart';
    }
  }
  return null;
}

/** The GraphQL request in a GET's params or a POST's JSON body; null when it is malformed (Apollo explains). */
export function operationRequestOf(req: Request): OperationRequest | null {
  const source: unknown = req.method === 'GET' ? req.query : req.body;
  if (!source || typeof source !== 'object') return null;
  const { query, operationName, variables } = source as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  let vars: unknown = variables;
  if (typeof vars === 'string') {
    try {
      vars = JSON.parse(vars);
    } catch {
      return null;
    }
  }
  if (vars !== undefined && vars !== null && (typeof vars !== 'object' || Array.isArray(vars))) return null;
  return { query, operationName: operationName ?? null, variables: (vars ?? null) as Record<string, unknown> | null };
}

export interface HttpSubscriptionStreamsOptions {
  runner: SubscriptionRunner;
  connections: ConnectionLimiter;
  /** Heartbeat period (KEEPALIVE_MS); multipart never waits longer than MULTIPART_MAX_HEARTBEAT_MS. 0 turns both off. */
  keepAliveMs: number;
}

interface LiveStream {
  stop(): Promise<void>;
  /** Settles once the response has ended. */
  finished: Promise<void>;
}

export class HttpSubscriptionStreams {
  private readonly live = new Map<StreamProtocol, Map<http.ServerResponse, LiveStream>>([
    ['sse', new Map()],
    ['multipart', new Map()],
  ]);
  private readonly heartbeats: NodeJS.Timeout[] = [];

  constructor(private readonly options: HttpSubscriptionStreamsOptions) {
    if (options.keepAliveMs > 0) {
      // One timer per protocol for all its streams, not one per stream.
      const every: Record<StreamProtocol, number> = { sse: options.keepAliveMs, multipart: Math.min(options.keepAliveMs, MULTIPART_MAX_HEARTBEAT_MS) };
      for (const protocol of ['sse', 'multipart'] as const) {
        const streams = this.live.get(protocol)!;
        this.heartbeats.push(setInterval(() => streams.forEach((_, res) => send(res, FRAMINGS[protocol].heartbeat)), every[protocol]));
      }
    }
  }

  /** Express middleware for the GraphQL path, after the JSON body parser and before Apollo. */
  readonly handler: RequestHandler = (req, res, next) => {
    const protocol = streamProtocolOf(req.method, req.headers.accept);
    const request = protocol && operationRequestOf(req);
    if (!protocol || !request) return next();
    const prepared = this.options.runner.prepare(request, findAuthToken(req.headers));
    // Apollo answers what is not a valid subscription, with its own checks.
    if (prepared.kind === 'not-subscription' || prepared.kind === 'invalid') return next();
    if (prepared.kind === 'refused') return sendJson(res, 400, { errors: prepared.errors });
    this.serve(protocol, prepared, res);
  };

  /** Ends every stream with its protocol's completion; new ones are refused from now on. */
  async close(): Promise<void> {
    this.options.connections.close();
    for (const timer of this.heartbeats) clearInterval(timer);
    const streams = [...this.live.values()].flatMap((m) => [...m.values()]);
    await Promise.all(streams.map(async (s) => (await s.stop(), s.finished)));
  }

  private serve(protocol: StreamProtocol, prepared: AcceptedSubscription, res: Response): void {
    const release = this.options.connections.tryOpen(protocol);
    if (!release) {
      const body = `${CONNECTIONS_FULL_MESSAGE}\n`;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
      return;
    }
    const framing = FRAMINGS[protocol];
    res.writeHead(200, framing.headers);
    if (framing.open) res.write(framing.open);
    else res.flushHeaders();
    const running = this.options.runner.run(prepared, (result) => send(res, framing.next(result)));
    const streams = this.live.get(protocol)!;
    const finished = running.done.then(
      () => undefined,
      // formatError logs it as unexpected and shows the client only "Internal error".
      (err: unknown) => send(res, framing.transportError(this.options.runner.formatErrors([new GraphQLError('Internal error', { originalError: err instanceof Error ? err : null })]))),
    ).then(() => {
      send(res, framing.complete);
      res.end();
    });
    streams.set(res, { stop: running.stop, finished });
    // The client went away, or the response ended: either way the subscription and its slot are over.
    res.once('close', () => {
      streams.delete(res);
      release();
      void running.stop();
    });
  }
}

/** Writes unless the response is over; a peer that stopped reading is cut (MAX_UNREAD_BYTES). */
function send(res: http.ServerResponse, chunk: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_UNREAD_BYTES) {
    res.destroy();
    return;
  }
  res.write(chunk);
}

function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
