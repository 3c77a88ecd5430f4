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
import type { RequestHandler } from 'express';
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

  static key(fingerprint: string, body: unknown): string | null {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const { query, variables, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string') return null; // persisted queries and the like go the normal way
    const hash = createHash('sha256').update(JSON.stringify([query, variables ?? null, operationName ?? null])).digest('base64url');
    return `${fingerprint}|${hash}`;
  }

  get(key: string): string | undefined {
    return this.lru?.get(key);
  }

  set(key: string, response: string): void {
    this.lru?.set(key, response);
  }
}

/** Serves hits before Apollo; everything else passes through with the key for the plugin to store under. */
export function responseCacheMiddleware(cache: ResponseCache, credentialOf: (headers: Record<string, unknown>) => Credential | null): RequestHandler {
  return (req, res, next) => {
    if (!cache.enabled || req.method !== 'POST') return next();
    const credential = credentialOf(req.headers);
    const key = credential && ResponseCache.key(credential.fingerprint, req.body);
    if (!key) return next();
    const hit = cache.get(key);
    if (hit !== undefined) {
      res.status(200).type('application/json; charset=utf-8').send(hit);
      return;
    }
    res.locals['responseCacheKey'] = key;
    next();
  };
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
