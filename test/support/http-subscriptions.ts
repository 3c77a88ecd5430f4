/**
 * The real clients of the HTTP subscription transports, shaped like graphql-ws's client so `collect`
 * (test/support/subscriptions.ts) reads them alike: graphql-sse in distinct connections mode, and Apollo Client 4
 * whose HttpLink speaks the multipart subscription protocol.
 */
import { createClient } from 'graphql-sse';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import type { SubscribingClient } from './subscriptions.js';

export interface DisposableClient extends SubscribingClient {
  dispose(): void;
}

export function sseClient(url: string, headers: Record<string, string> = {}): DisposableClient {
  const client = createClient({ url, singleConnection: false, headers, retryAttempts: 0 });
  return { subscribe: (payload, sink) => client.subscribe(payload, sink), dispose: () => client.dispose() };
}

export function multipartClient(url: string, headers: Record<string, string> = {}): DisposableClient {
  // Without deduplication each subscribe is its own request, as separate browser tabs would make.
  const client = new ApolloClient({ link: new HttpLink({ uri: url, headers }), cache: new InMemoryCache(), queryDeduplication: false });
  const live = new Set<{ unsubscribe(): void }>();
  return {
    subscribe(payload, sink) {
      // errorPolicy "all": GraphQL errors arrive as a message, as they do from graphql-ws and graphql-sse.
      const subscription = client.subscribe({ query: gql(payload.query), variables: payload.variables, errorPolicy: 'all' }).subscribe({
        next: ({ data, error }) =>
          sink.next({
            data: data ?? null,
            ...(CombinedGraphQLErrors.is(error) ? { errors: error.errors } : error ? { errors: [{ message: error.message }] } : {}),
          }),
        error: (error: unknown) => sink.error(error),
        complete: () => sink.complete(),
      });
      live.add(subscription);
      return () => {
        live.delete(subscription);
        subscription.unsubscribe();
      };
    },
    dispose() {
      for (const s of live) s.unsubscribe();
      live.clear();
      client.stop();
    },
  };
}
