/**
 * Operation limits against abusive queries, all enforced before execution with BAD_USER_INPUT:
 * - shape limits (depth, aliases, tokens, directives, static cost) by graphql-armor;
 * - an upstream budget: the upstream calls an operation would cause, counted from its arguments the way the
 *   loaders will make them (distinct jobs, ⌈request ids / 20⌉, one per listing), so `jobs` with 100 refs and
 *   nested sub-jobs is fine while 30 aliases of it are refused.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../errors.js';
import { jobKey } from '../model/job-ref.js';
import { CLOUD_PHONE_REQUEST_IDS_PER_CALL } from '../services/clients.js';

export interface OperationLimits {
  /** @default 12 */
  maxDepth: number;
  /** @default 30 */
  maxAliases: number;
  /** @default 10000 */
  maxTokens: number;
  /** Upstream calls one operation may cause. @default 300 */
  maxUpstreamCalls: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 10_000, maxUpstreamCalls: 300 };

/**
 * The token limit is graphql-js's own `maxTokens` parse option, given to Apollo's parser and to graphql-ws's:
 * graphql-armor's max-tokens plugin parses the document a second time in a plugin hook, where a syntax error
 * becomes an internal error (HTTP 500) instead of Apollo's parse failure (400).
 */
export function parseOptions(limits: OperationLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

/** Validation rules and plugins of graphql-armor for Apollo Server (the token limit is `parseOptions`). */
export function armor(limits: OperationLimits, hideSuggestions: boolean) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 20_000 },
    // "Did you mean …" leaks the schema when introspection is off.
    blockFieldSuggestion: { enabled: hideSuggestions },
  }).protect();
}

interface Budget {
  jobs: Set<string>;
  calls: number;
}

type Args = Record<string, unknown>;

/** A ref as written (region and project may be left to the defaults): the same job counts once. */
function refKey(ref: Args): string {
  const text = (value: unknown) => String(value ?? '');
  return jobKey({ service: text(ref['service']), region: text(ref['region']), projectId: text(ref['projectId']), jobId: text(ref['jobId']) });
}

/**
 * Upstream calls a root field causes, added to the budget. The casts read arguments that getArgumentValues has
 * already coerced to the schema's input types.
 */
function charge(budget: Budget, field: string, args: Args): void {
  switch (field) {
    case 'job':
    case 'jobUpdated':
      budget.jobs.add(refKey((args['ref'] ?? {}) as Args));
      return;
    case 'jobById':
      budget.jobs.add(String(args['id']));
      return;
    case 'jobs':
    case 'jobsUpdated':
      for (const ref of (args['refs'] ?? []) as Args[]) budget.jobs.add(refKey(ref));
      return;
    case '_entities':
      for (const rep of (args['representations'] ?? []) as Args[]) budget.jobs.add(String(rep['id']));
      return;
    case 'cloudPhoneJobs':
      budget.calls += Math.ceil(new Set((args['requestIds'] ?? []) as string[]).size / CLOUD_PHONE_REQUEST_IDS_PER_CALL);
      return;
    case 'appStreamingSubJobs':
    case 'workspaceSubJobs':
      budget.calls += 1;
      return;
  }
}

function rootFields(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, out: FieldNode[] = []): FieldNode[] {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) rootFields(s.selectionSet, fragments, out);
    else if (fragments[s.name.value]) rootFields(fragments[s.name.value]!.selectionSet, fragments, out);
  }
  return out;
}

/** Upper bound of the upstream calls of an operation (argument errors count as zero: validation reports them). */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Args,
): number {
  const root: GraphQLObjectType | null | undefined =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getMutationType();
  if (!root) return 0;
  const budget: Budget = { jobs: new Set(), calls: 0 };
  for (const node of rootFields(operation.selectionSet, fragments)) {
    const def = root.getFields()[node.name.value];
    if (!def) continue;
    try {
      charge(budget, node.name.value, getArgumentValues(def, node, variables));
    } catch {
      // Invalid arguments fail later with their own error.
    }
  }
  return budget.jobs.size + budget.calls;
}

const estimates = new WeakMap<OperationDefinitionNode, number>();

/** The budget check shared by HTTP (plugin) and WebSocket (graphql-ws onSubscribe) operations. */
export function checkUpstreamBudget(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Args,
  maxUpstreamCalls: number,
): GraphQLError | null {
  // An operation without variables always costs the same: Apollo reuses its parsed document, so remember it.
  const constant = !operation.variableDefinitions?.length;
  let calls = constant ? estimates.get(operation) : undefined;
  if (calls === undefined) {
    calls = estimateUpstreamCalls(schema, operation, fragments, variables);
    if (constant) estimates.set(operation, calls);
  }
  if (calls <= maxUpstreamCalls) return null;
  return new GraphQLError(
    `This operation would make about ${calls} upstream calls; the limit is ${maxUpstreamCalls} (MAX_UPSTREAM_CALLS). Split it.`,
    { extensions: { code: ErrorCode.BadUserInput, http: { status: 400 } } },
  );
}

export function upstreamBudgetPlugin(maxUpstreamCalls: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const error = checkUpstreamBudget(schema, operation, fragments, (request.variables ?? {}) as Args, maxUpstreamCalls);
          if (error) throw error;
        },
      };
    },
  };
}
