/**
 * Whole-response cache for operations made only of terminal jobs. Such a response cannot change, so an
 * identical operation with the same credential is answered from memory without running GraphQL at all.
 * Keyed by credential fingerprint and the exact operation (query, variables, operation name); bounded in
 * entries and with a TTL so that access revoked upstream expires, like the terminal-job cache.
 *
 * Stored only when: a query whose root fields are all job lookups, no errors, and every job it resolved is
 * terminal (resolvers report each job to the context; anything else — a listing, a running job, a job that
 * does not exist yet — makes the operation uncacheable).
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type http from 'node:http';
import { Kind } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Credential } from '../auth/credentials.js';
import type { GraphQLContext } from './context.js';

/** Root fields whose results are exactly the jobs they resolve. */
const CACHEABLE_ROOT_FIELDS = new Set(['job', 'jobs', 'jobById', '_entities', '__typename']);

export class ResponseCache {
  private readonly lru: LRUCache<string, string> | null;

  constructor(options: { max: number; ttlMs: number }) {
    this.lru = options.max > 0 && options.ttlMs > 0 ? new LRUCache({ max: options.max, ttl: options.ttlMs }) : null;
  }

  get enabled(): boolean {
    return this.lru !== null;
  }

  get(key: string): string | undefined {
    return this.lru?.get(key);
  }

  set(key: string, response: string): void {
    this.lru?.set(key, response);
  }
}

export interface FastPathOptions {
  path: string;
  maxBytes: number;
  credentialOf: (headers: Record<string, unknown>) => Credential | null;
}

/** Where the HTTP layer leaves the cache key for the plugin (on the request object, before Express). */
export const RESPONSE_CACHE_KEY = Symbol('responseCacheKey');
type KeyedRequest = http.IncomingMessage & { [RESPONSE_CACHE_KEY]?: string; body?: unknown; _body?: boolean };

/**
 * Serves cache hits straight from the http.Server, before Express and Apollo: a hit costs reading the body,
 * one hash and one write. Keyed on the exact body bytes (identical operations from one client are identical
 * bytes). On a miss the parsed body is handed on (`_body` tells body-parser it is already read) with the key,
 * so Apollo handles the request exactly as it would have.
 */
export function responseCacheFastPath(cache: ResponseCache, options: FastPathOptions) {
  return (req: KeyedRequest, res: http.ServerResponse, next: () => void): void => {
    const credential = cache.enabled && req.method === 'POST' && req.url === options.path && /^application\/json/i.test(req.headers['content-type'] ?? '')
      ? options.credentialOf(req.headers)
      : null;
    if (!credential) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.maxBytes) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > options.maxBytes) {
        return sendJson(res, 413, { errors: [{ message: `Request body larger than ${options.maxBytes} bytes (MAX_REQUEST_BYTES)`, extensions: { code: 'BAD_USER_INPUT' } }] });
      }
      const raw = Buffer.concat(chunks);
      const key = `${credential.fingerprint}|${createHash('sha256').update(raw).digest('base64url')}`;
      const hit = cache.get(key);
      if (hit !== undefined) return sendJson(res, 200, hit);
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
      }
      req._body = true;
      req[RESPONSE_CACHE_KEY] = key;
      next();
    });
    req.once('error', () => res.destroy());
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Stores responses that qualify (see the module comment). */
export function responseCachePlugin(cache: ResponseCache, keyOf: (context: GraphQLContext) => string | null): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation, errors }) {
          if (!cache.enabled || !operation || operation.operation !== 'query' || errors?.length) return;
          if (!contextValue.cacheability.cacheable || response.body.kind !== 'single' || response.body.singleResult.errors) return;
          const rootsOk = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value));
          const key = keyOf(contextValue);
          if (rootsOk && key) cache.set(key, JSON.stringify(response.body.singleResult));
        },
      };
    },
  };
}
