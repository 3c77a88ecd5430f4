/**
 * Whole-response cache for operations made only of job lookups. An answer of terminal jobs cannot change, and one
 * with running jobs holds while their observations do (below), so an identical request with the same credential
 * is answered from memory without running GraphQL at all.
 *
 * A hit must be indistinguishable from Apollo's own answer except in time (README, "Behaviour you can rely
 * on"). So the cache never rebuilds an answer: it stores the status, headers and body bytes Apollo wrote for a
 * request, and replays them for the same request. "The same" is the credential fingerprint, the `Accept`
 * header (Apollo picks the content type from it) and the exact body bytes. A request whose answer differs per
 * execution (a federated trace asked with `apollo-federation-include-trace`) never takes the fast path.
 *
 * Stored only when: a query whose root fields are all job lookups, no errors, status 200, and every job it
 * resolved is terminal or running (resolvers report each job to the context; anything else — a listing, a job
 * that does not exist yet — makes the operation uncacheable). Bounded in entries, with a TTL so that access
 * revoked upstream expires, like the terminal-job cache.
 *
 * An answer with running jobs holds only while each of them is still answered from the very observation it was
 * built from (loaders/observations.ts: the same object, within JOB_MAX_AGE_MS): Apollo would then write the same
 * bytes. Once one is replaced or expires, the entry is a miss and Apollo answers again.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type http from 'node:http';
import { Kind } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Credential } from '../auth/credentials.js';
import type { JobModel } from '../model/job.js';
import type { GraphQLContext } from './context.js';
import { sendBodyError } from './http-errors.js';

/** Root fields whose results are exactly the jobs they resolve. */
const CACHEABLE_ROOT_FIELDS = new Set(['job', 'jobs', 'jobById', '_entities', '__typename']);

/** Request headers after which the answer is not a function of (credential, Accept, body) alone. */
const BYPASS_HEADERS = ['apollo-federation-include-trace'];

/** An answer exactly as Apollo wrote it. */
interface StoredResponse {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
  /** The observations of running jobs it was built from, by credential-scoped key. */
  observed?: ReadonlyArray<readonly [string, JobModel]>;
}

/** The plugin's verdict on one miss: whether what Apollo sends for it may be stored, and what it depends on. */
export interface PendingEntry {
  approved: boolean;
  observed?: ReadonlyArray<readonly [string, JobModel]>;
}

export class ResponseCache {
  private readonly lru: LRUCache<string, StoredResponse> | null;

  constructor(options: { max: number; ttlMs: number }) {
    this.lru = options.max > 0 && options.ttlMs > 0 ? new LRUCache({ max: options.max, ttl: options.ttlMs }) : null;
  }

  get enabled(): boolean {
    return this.lru !== null;
  }

  get(key: string): StoredResponse | undefined {
    return this.lru?.get(key);
  }

  set(key: string, response: StoredResponse): void {
    this.lru?.set(key, response);
  }
}

export interface FastPathOptions {
  path: string;
  maxBytes: number;
  credentialOf: (headers: Record<string, unknown>) => Credential | null;
  /** The observation now answering a running job's reads (loaders/observations.ts), if any. */
  observation: (key: string) => JobModel | undefined;
}

/** Where the HTTP layer leaves a miss's pending entry for the plugin (on the request object, before Express). */
const PENDING_ENTRY = Symbol('responseCacheEntry');
type PendingRequest = http.IncomingMessage & { [PENDING_ENTRY]?: PendingEntry; body?: unknown; _body?: boolean };

/** The pending entry of a request the fast path let through, for the operation's context. */
export function pendingEntryOf(req: http.IncomingMessage): PendingEntry | null {
  return (req as PendingRequest)[PENDING_ENTRY] ?? null;
}

/**
 * Serves cache hits straight from the http.Server, before Express and Apollo: a hit costs reading the body,
 * one hash and one write. On a miss the parsed body is handed on (`_body` tells body-parser it is already
 * read), so Apollo handles the request exactly as it would have, and what Apollo writes is recorded; it is
 * stored if the plugin approves the operation.
 */
export function responseCacheFastPath(cache: ResponseCache, options: FastPathOptions) {
  return (req: PendingRequest, res: http.ServerResponse, next: () => void): void => {
    const eligible =
      cache.enabled &&
      req.method === 'POST' &&
      req.url === options.path &&
      /^application\/json/i.test(req.headers['content-type'] ?? '') &&
      !BYPASS_HEADERS.some((h) => req.headers[h] !== undefined);
    const credential = eligible ? options.credentialOf(req.headers) : null;
    // A body declared too large is refused by the body parser without being read.
    if (!credential || Number(req.headers['content-length'] ?? 0) > options.maxBytes) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.maxBytes) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > options.maxBytes) return sendBodyError(res, 413, options.maxBytes);
      const raw = Buffer.concat(chunks);
      const key = `${credential.fingerprint}|${req.headers.accept ?? ''}|${createHash('sha256').update(raw).digest('base64url')}`;
      const hit = cache.get(key);
      if (hit !== undefined && (hit.observed ?? []).every(([k, job]) => options.observation(k) === job)) {
        res.writeHead(hit.status, hit.headers);
        res.end(hit.body);
        return;
      }
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendBodyError(res, 400, options.maxBytes);
      }
      req._body = true;
      const pending: PendingEntry = { approved: false };
      req[PENDING_ENTRY] = pending;
      recordAnswer(res, (answer) => {
        const observed = pending.observed ?? [];
        // Not when an observation is already gone (JOB_MAX_AGE_MS=0 keeps none): such an entry could never hit.
        if (pending.approved && answer.status === 200 && observed.every(([k, job]) => options.observation(k) === job)) {
          cache.set(key, { ...answer, observed });
        }
      });
      next();
    });
    req.once('error', () => res.destroy());
  };
}

/** Calls `onAnswer` with what the response writes in one `end` (as Express's `res.send` does). */
function recordAnswer(res: http.ServerResponse, onAnswer: (answer: StoredResponse) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  // Node types `end` as an overload set that a wrapper cannot restate; the wrapper passes every argument on.
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    if (!res.headersSent && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
      onAnswer({ status: res.statusCode, headers: res.getHeaders(), body });
    }
    return end(...args);
  }) as typeof res.end;
}

/** Approves the misses that qualify (see the module comment). */
export function responseCachePlugin(entryOf: (context: GraphQLContext) => PendingEntry | null): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation, errors }) {
          const entry = entryOf(contextValue);
          if (!entry || !operation || operation.operation !== 'query' || errors?.length) return;
          if (!contextValue.cacheability.cacheable || response.body.kind !== 'single' || response.body.singleResult.errors) return;
          entry.approved = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value));
          entry.observed = contextValue.cacheability.running;
        },
      };
    },
  };
}
