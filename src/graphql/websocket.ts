/**
 * graphql-ws bound to the HTTP server's `ws` upgrade on the GraphQL path. The same limits as HTTP apply:
 * validation with the armor rules, the upstream budget, and a per-connection subscription cap.
 */
import type http from 'node:http';
import { LRUCache } from 'lru-cache';
import { GraphQLError, Kind, parse, type DocumentNode, specifiedRules, validate, type FragmentDefinitionNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { findAuthToken } from '../auth/credentials.js';
import { ErrorCode } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { GraphQLContext } from './context.js';
import { checkUpstreamBudget } from './limits.js';

export interface GraphqlWsOptions {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  /** Builds an operation's context from the token the connection presented (or null). */
  context: (token: string | null) => GraphQLContext;
  validationRules: readonly ValidationRule[];
  maxUpstreamCalls: number;
  maxSubscriptionsPerConnection: number;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  metrics: Metrics;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput } });

/** Tags request errors as Apollo does over HTTP, so formatError maps them to BAD_USER_INPUT alike. */
const tagged = (errors: readonly GraphQLError[], code: string) =>
  errors.map((e) => (e.extensions['code'] ? e : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: { ...e.extensions, code } })));

export function attachGraphqlWs(options: GraphqlWsOptions): { dispose(): void | Promise<void> } {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path });
  const rules = [...specifiedRules, ...options.validationRules];
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => options.formatError(e.toJSON(), e));
  const documents = new LRUCache<string, { document?: DocumentNode; errors?: GraphQLError[] }>({ max: 1000 });
  return useServer(
    {
      schema: options.schema,
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
          return [badInput(`At most ${options.maxSubscriptionsPerConnection} subscriptions per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`)];
        }
        // Thousands of subscribers send the same few documents: parse and validate each text once.
        let checked = documents.get(payload.query);
        if (!checked) {
          try {
            const parsed = parse(payload.query);
            const errors = validate(options.schema, parsed, rules);
            checked = errors.length > 0 ? { errors: tagged(errors, 'GRAPHQL_VALIDATION_FAILED') } : { document: parsed };
          } catch (err) {
            checked = { errors: err instanceof GraphQLError ? tagged([err], 'GRAPHQL_PARSE_FAILED') : [badInput('Invalid GraphQL document')] };
          }
          documents.set(payload.query, checked);
        }
        if (checked.errors) return checked.errors;
        const document = checked.document!;
        const operation = document.definitions.find(
          (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!payload.operationName || d.name?.value === payload.operationName),
        );
        if (operation) {
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const overBudget = checkUpstreamBudget(options.schema, operation, fragments, payload.variables ?? {}, options.maxUpstreamCalls);
          if (overBudget) return [overBudget];
          options.metrics.operations.inc({ type: operation.operation });
        }
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors) as never,
    },
    wsServer,
  );
}
