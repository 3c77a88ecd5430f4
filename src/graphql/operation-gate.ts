/**
 * The checks Apollo's HTTP pipeline applies before execution, for transports that execute outside Apollo
 * (graphql-ws, and the HTTP streams in graphql/transports/): parse with the token limit, validate with graphql-js's and graphql-armor's rules, and the
 * upstream budget. Thousands of subscribers send the same few documents, so each text is parsed and validated
 * once (bounded LRU). Errors are tagged with Apollo's codes, so formatError maps them to BAD_USER_INPUT alike.
 */
import { LRUCache } from 'lru-cache';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../errors.js';
import { checkUpstreamBudget } from './limits.js';

export interface OperationGateOptions {
  schema: GraphQLSchema;
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  maxUpstreamCalls: number;
}

export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export type GateResult =
  | { document: DocumentNode; operation: OperationDefinitionNode | undefined; errors?: undefined }
  /** `operation` is set when the document parsed, so a transport can tell a subscription that failed validation. */
  | { errors: readonly GraphQLError[]; operation?: OperationDefinitionNode };

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput } });

/** Tags request errors as Apollo does over HTTP. */
const tagged = (errors: readonly GraphQLError[], code: string) =>
  errors.map((e) => (e.extensions['code'] ? e : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: { ...e.extensions, code } })));

export class OperationGate {
  private readonly rules: readonly ValidationRule[];
  private readonly documents = new LRUCache<string, { document?: DocumentNode; errors?: readonly GraphQLError[] }>({ max: 1000 });

  /** The operation `operationName` selects (or the first one), or undefined when there is none. */
  private static operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
    return document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
    );
  }

  constructor(private readonly options: OperationGateOptions) {
    this.rules = [...specifiedRules, ...options.validationRules];
  }

  /** The document and the operation to run, or the errors that refuse it (before any upstream call). */
  check(request: OperationRequest): GateResult {
    let checked = this.documents.get(request.query);
    if (!checked) {
      try {
        const parsed = parse(request.query, { maxTokens: this.options.maxTokens });
        const errors = validate(this.options.schema, parsed, this.rules);
        checked = errors.length > 0 ? { document: parsed, errors: tagged(errors, 'GRAPHQL_VALIDATION_FAILED') } : { document: parsed };
      } catch (err) {
        checked = { errors: err instanceof GraphQLError ? tagged([err], 'GRAPHQL_PARSE_FAILED') : [badInput('Invalid GraphQL document')] };
      }
      this.documents.set(request.query, checked);
    }
    const operation = checked.document && OperationGate.operationOf(checked.document, request.operationName);
    if (checked.errors) return { errors: checked.errors, operation };
    const document = checked.document!;
    if (operation) {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
      const overBudget = checkUpstreamBudget(this.options.schema, operation, fragments, request.variables ?? {}, this.options.maxUpstreamCalls);
      if (overBudget) return { errors: [overBudget] };
    }
    return { document, operation };
  }
}
