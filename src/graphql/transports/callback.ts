/**
 * Apollo's HTTP callback subscription protocol v1.0 (the transport of Apollo Router's callback mode and Hive
 * Gateway's `http-callback`): a `POST /graphql` with `Accept: application/json;callbackSpec=1.0` and
 * `extensions.subscription = {callbackUrl, subscriptionId, verifier, heartbeatIntervalMs}`.
 *
 * Our own handler in front of Apollo rather than Apollo's `ApolloServerPluginSubscriptionCallback`, because that
 * plugin answers a failed `check` with 500, calls any `callbackUrl` a client names, has no timeout on its calls,
 * keys its state by callback URL (two subscriptions to one URL overwrite each other) and sends payloads without
 * our formatError. Here:
 * - a `callbackUrl` not under a SUBSCRIPTION_CALLBACK_URLS prefix (same origin, path at a segment boundary) is
 *   refused with BAD_USER_INPUT before any outbound request; redirects are not followed; our calls carry only
 *   the protocol's body and headers, never a credential;
 * - the `check` is sent before answering; only 204 confirms it; anything else (or no answer within the timeout)
 *   refuses the request with 400 and starts no poller;
 * - the operation runs through the SubscriptionRunner (graphql/transports/subscription-runner.ts), as SSE and
 *   multipart do: the shared pollers, the same operation limits and formatError as graphql-ws; each
 *   subscription holds a MAX_CONNECTIONS slot;
 * - `check` heartbeats within every `heartbeatIntervalMs`, `next` per visible change, `complete` at the end
 *   (with `errors` when it failed, or when the server shuts down); 404 from the router ends the subscription
 *   without another call, any other failure ends it too (the protocol's "terminated by an unexpected error").
 *   No retries: the protocol treats a failed callback as the end of the subscription.
 */
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { Agent, request } from 'undici';
import { findAuthToken } from '../../auth/credentials.js';
import { badUserInput, ErrorCode, toGraphQLError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { CONNECTIONS_FULL_MESSAGE, type ConnectionLimiter } from './connections.js';
import type { AcceptedSubscription, RunningSubscription, SubscriptionRunner } from './subscription-runner.js';

/** The protocol's version header, on every message we send. */
export const CALLBACK_PROTOCOL_HEADER = { 'subscription-protocol': 'callback/1.0' } as const;

/** What a router may ask for when it sends no `heartbeatIntervalMs` (Apollo's plugin assumes the same). */
export const DEFAULT_HEARTBEAT_MS = 5000;
/** A router may not make us call it more often than this. */
export const MIN_HEARTBEAT_MS = 100;
/** Longest delay a Node.js timer accepts. */
const MAX_HEARTBEAT_MS = 2_147_483_647;

export type CallbackAction = 'check' | 'next' | 'complete';

export interface CallbackOptions {
  /** The same runner as the HTTP streams', so both check, run and format alike. */
  runner: SubscriptionRunner;
  /** SUBSCRIPTION_CALLBACK_URLS; empty = callback mode off. */
  allowedPrefixes: readonly string[];
  /** Time limit of each call to a router (connect, headers and body). */
  timeoutMs: number;
  connections: ConnectionLimiter;
  logger: Logger;
}

interface Handshake {
  callbackUrl: URL;
  id: string;
  verifier: string;
  heartbeatIntervalMs: number;
}

interface LiveSubscription extends Handshake {
  running: RunningSubscription;
  heartbeat: NodeJS.Timeout | null;
  /** Calls to the router in flight; a heartbeat is skipped while one is (any message shows we are alive). */
  inFlight: number;
  ended: boolean;
  release(): void;
}

const SHUTTING_DOWN = 'Server is shutting down';
const unavailable = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.UpstreamUnavailable } });

const ACCEPT_CALLBACK = /application\/json\s*;[^,]*callbackSpec\s*=\s*"?1\.0"?/i;

/** Whether a request asks for the callback protocol (its Accept header). */
export function acceptsCallback(accept: string | undefined): boolean {
  return accept !== undefined && ACCEPT_CALLBACK.test(accept);
}

/**
 * Whether `url` is under one of `prefixes`: same origin, and the path equal to the prefix's or below it at a
 * segment boundary (`/callback` allows `/callback/1`, not `/callbackevil`). Both are parsed first, so `..`,
 * percent-encoded dots and host spellings are compared as a client would resolve them.
 */
export function isAllowedCallbackUrl(url: URL, prefixes: readonly string[]): boolean {
  if (url.username || url.password) return false;
  return prefixes.some((text) => {
    const prefix = new URL(text);
    if (prefix.origin !== url.origin) return false;
    const base = prefix.pathname;
    if (base.endsWith('/')) return url.pathname.startsWith(base);
    return url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
}

/** The `extensions.subscription` object, checked; a BAD_USER_INPUT error naming the bad field otherwise. */
export function readHandshake(extensions: unknown, prefixes: readonly string[]): Handshake | GraphQLError {
  const sub = (extensions as { subscription?: unknown } | null | undefined)?.subscription;
  if (!sub || typeof sub !== 'object') return badUserInput('A callback subscription needs extensions.subscription');
  const { callbackUrl, subscriptionId, verifier, heartbeatIntervalMs } = sub as Record<string, unknown>;
  if (typeof subscriptionId !== 'string' || subscriptionId === '' || subscriptionId.length > 256) {
    return badUserInput('extensions.subscription.subscriptionId must be a string of 1 to 256 characters');
  }
  if (typeof verifier !== 'string' || verifier.length > 1024) {
    return badUserInput('extensions.subscription.verifier must be a string of at most 1024 characters');
  }
  const interval = heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 0 || (interval > 0 && interval < MIN_HEARTBEAT_MS) || interval > MAX_HEARTBEAT_MS) {
    return badUserInput(`extensions.subscription.heartbeatIntervalMs must be 0 (none) or a whole number from ${MIN_HEARTBEAT_MS}`);
  }
  let url: URL | null = null;
  try {
    url = typeof callbackUrl === 'string' && callbackUrl.length <= 2048 ? new URL(callbackUrl) : null;
  } catch {
    url = null;
  }
  if (!url || !isAllowedCallbackUrl(url, prefixes)) {
    return badUserInput('extensions.subscription.callbackUrl is not an allowed callback URL (SUBSCRIPTION_CALLBACK_URLS)');
  }
  return { callbackUrl: url, id: subscriptionId, verifier, heartbeatIntervalMs: interval };
}

/**
 * The period of our `check` heartbeats: the router wants one *within* every interval, and a receiver that
 * resets a timer of exactly that length on each message (Hive Gateway's) would lose a race with one sent at
 * the interval itself, so they go up to a second (at most half the interval) early.
 */
export function heartbeatPeriod(intervalMs: number): number {
  return intervalMs - Math.min(1000, intervalMs / 2);
}

/** How the router's subscription request is answered once the subscription has been run. */
interface Answer {
  status: number;
  body: FormattedExecutionResult | { errors: readonly GraphQLFormattedError[] };
}

export class CallbackSubscriptions {
  private readonly agent: Agent;
  private readonly live = new Set<LiveSubscription>();
  private closed = false;

  constructor(private readonly options: CallbackOptions) {
    this.agent = new Agent({ connect: { timeout: options.timeoutMs } });
  }

  /** Callback subscriptions this process sends messages for. */
  get size(): number {
    return this.live.size;
  }

  /** Express middleware for the GraphQL path: takes callback-protocol requests, passes everything else on. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || !acceptsCallback(req.headers.accept)) return next();
    this.accept(req, res, next).catch(next);
  };

  /** Ends every callback subscription with `complete` and a shutdown error, so routers can subscribe again elsewhere. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((sub) => this.complete(sub, [unavailable(SHUTTING_DOWN)])));
    await this.agent.close();
  }

  private async accept(req: Request, res: Response, next: NextFunction): Promise<void> {
    // express.json() (or the response-cache fast path) left the parsed JSON here, typed `any` by Express.
    const body = (req.body ?? null) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || typeof body['query'] !== 'string') {
      return this.refuse(res, 400, [badUserInput('A callback subscription request is a JSON object with a "query" string')]);
    }
    const operationName = typeof body['operationName'] === 'string' ? body['operationName'] : null;
    const raw = body['variables'];
    const variables = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
    const prepared = this.options.runner.prepare({ query: body['query'], operationName, variables }, findAuthToken(req.headers));
    if (prepared.kind === 'invalid' || prepared.kind === 'refused') return this.send(res, 400, { errors: prepared.errors });
    // callbackSpec only changes how a subscription is delivered; queries and mutations answer as usual.
    if (prepared.kind === 'not-subscription') return next();
    if (this.options.allowedPrefixes.length === 0) {
      return this.refuse(res, 400, [badUserInput('Callback subscriptions are off here (SUBSCRIPTION_CALLBACK_URLS is not set)')]);
    }
    const handshake = readHandshake(body['extensions'], this.options.allowedPrefixes);
    if (handshake instanceof GraphQLError) return this.refuse(res, 400, [handshake]);
    try {
      prepared.context.requireCredential();
    } catch (err) {
      return this.refuse(res, 401, [toGraphQLError(err)]);
    }
    const release = this.closed ? null : this.options.connections.tryOpen('callback');
    if (!release) {
      return this.refuse(res, 503, [unavailable(CONNECTIONS_FULL_MESSAGE)]);
    }

    const status = await this.post(handshake, 'check');
    if (status !== 204) {
      release();
      const answer = status === null ? 'did not answer' : `answered ${status}`;
      return this.refuse(res, 400, [badUserInput(`The callback URL's check ${answer}; expected 204`)]);
    }
    // The router may have given up on its request while we checked: then nobody waits for our messages.
    if (this.closed || req.socket.destroyed) {
      release();
      if (!req.socket.destroyed) this.refuse(res, 503, [unavailable(SHUTTING_DOWN)]);
      return;
    }
    const answer = await this.run(prepared, handshake, release);
    this.send(res, answer.status, answer.body);
  }

  /**
   * Runs the subscription: the answer to the router's request settles once it has attached to its poller or been
   * refused by its resolver (it rejects when subscribe() failed); then each result goes as `next` and the end as
   * `complete`, and the router ending it stops it at once. The answer is handed back rather than written here, so
   * a subscription does not hold on to its request for its whole life.
   */
  private run(prepared: AcceptedSubscription, handshake: Handshake, release: () => void): Promise<Answer> {
    return new Promise<Answer>((answer, fail) => {
      let sub: LiveSubscription | null = null;
      const running = this.options.runner.run(
        prepared,
        async (result) => {
          if (!sub) {
            // Before `started`: refused by its resolver (bad ref, no credential, MAX_POLLERS); nothing started.
            release();
            return answer({ status: 200, body: result });
          }
          const status = await this.post(sub, 'next', { payload: result });
          if (!sub.ended && !isSuccess(status)) this.end(sub, 'next', status);
        },
        () => {
          if (this.closed) {
            // close() ran while the resolver attached: this one never reached the live set it ends.
            release();
            void running.stop();
            return answer({ status: 503, body: { errors: this.options.runner.formatErrors([unavailable(SHUTTING_DOWN)]) } });
          }
          const live: LiveSubscription = { ...handshake, running, heartbeat: null, inFlight: 0, ended: false, release };
          sub = live;
          this.live.add(live);
          if (live.heartbeatIntervalMs > 0) {
            live.heartbeat = setInterval(() => void this.beat(live), heartbeatPeriod(live.heartbeatIntervalMs));
          }
          answer({ status: 200, body: { data: null } });
        },
      );
      running.done.then(
        () => sub && this.complete(sub),
        (err: unknown) => {
          if (sub) return this.complete(sub, [toGraphQLError(err)]);
          release();
          fail(err);
        },
      );
    });
  }

  private async beat(sub: LiveSubscription): Promise<void> {
    if (sub.ended || sub.inFlight > 0) return;
    const status = await this.post(sub, 'check');
    if (!sub.ended && status !== 204) this.end(sub, 'check', status);
  }

  /** Our end of the subscription: `complete` (with `errors` when it failed), once. */
  private async complete(sub: LiveSubscription, errors?: readonly GraphQLError[]): Promise<void> {
    if (sub.ended) return;
    this.stop(sub);
    const status = await this.post(sub, 'complete', errors?.length ? { errors: this.options.runner.formatErrors(errors) } : {});
    if (!isSuccess(status) && status !== 404) this.options.logger.debug({ subscriptionId: sub.id, status }, 'callback complete not accepted');
  }

  /** The router ended it (404) or cannot be reached: stop without another call. */
  private end(sub: LiveSubscription, action: CallbackAction, status: number | null): void {
    if (sub.ended) return;
    this.stop(sub);
    if (status === 404) this.options.logger.debug({ subscriptionId: sub.id, action }, 'router ended the callback subscription');
    else this.options.logger.warn({ subscriptionId: sub.id, action, status }, 'callback failed; subscription ended');
  }

  /** Detaches from the pollers and frees the connection slot. */
  private stop(sub: LiveSubscription): void {
    sub.ended = true;
    if (sub.heartbeat) clearInterval(sub.heartbeat);
    this.live.delete(sub);
    sub.release();
    void sub.running.stop();
  }

  /** One protocol message to the router: its HTTP status, or null when it did not answer in time. */
  private async post(to: Handshake & { inFlight?: number }, action: CallbackAction, extra: Record<string, unknown> = {}): Promise<number | null> {
    if (to.inFlight !== undefined) to.inFlight++;
    try {
      const res = await request(to.callbackUrl, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', ...CALLBACK_PROTOCOL_HEADER },
        body: JSON.stringify({ kind: 'subscription', action, id: to.id, verifier: to.verifier, ...extra }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await res.body.dump({ limit: 64 * 1024 });
      return res.statusCode;
    } catch (err) {
      this.options.logger.debug({ subscriptionId: to.id, action, err: err instanceof Error ? err.message : String(err) }, 'callback did not answer');
      return null;
    } finally {
      if (to.inFlight !== undefined) to.inFlight--;
    }
  }

  private refuse(res: Response, status: number, errors: readonly GraphQLError[]): void {
    this.send(res, status, { errors: this.options.runner.formatErrors(errors) });
  }

  private send(res: Response, status: number, body: Answer['body']): void {
    res.status(status).json(body);
  }
}

function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
