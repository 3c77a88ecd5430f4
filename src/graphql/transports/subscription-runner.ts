/**
 * Subscriptions for the transports that carry them over plain HTTP (SSE and multipart today; the HTTP callback
 * protocol can drive the same runner). It knows nothing of framing: the operation gate's checks, the request's
 * credential, graphql-js `subscribe()` on the shared pollers, and every error through the one formatError, the
 * same as graphql-ws (graphql/transports/websocket.ts).
 */
import {
  GraphQLError,
  subscribe,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { Metrics } from '../../observability/metrics.js';
import type { GraphQLContext } from '../context.js';
import { OperationGate, type OperationGateOptions, type OperationRequest } from '../operation-gate.js';

export interface SubscriptionRunnerOptions extends OperationGateOptions {
  /** Builds an operation's context from the token the request presented (or null). */
  context: (token: string | null) => GraphQLContext;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  metrics: Metrics;
}

/** The outcome of checking a request before any connection slot is taken or any byte is streamed. */
export type PreparedSubscription =
  /** Not a subscription (or not even a document): Apollo answers it as before. */
  | { kind: 'not-subscription' }
  /** A subscription that fails the gate (validation, token limit, upstream budget): a 400 with these errors. */
  | { kind: 'refused'; errors: GraphQLFormattedError[] }
  | { kind: 'accepted'; document: DocumentNode; request: OperationRequest };

/** A running subscription: `done` settles when it completed or was stopped; it rejects on an internal failure. */
export interface RunningSubscription {
  done: Promise<void>;
  /** Ends the subscription (client gone, shutdown): the shared poller loses this subscriber at once. */
  stop(): Promise<void>;
}

export class SubscriptionRunner {
  private readonly gate: OperationGate;

  constructor(private readonly options: SubscriptionRunnerOptions) {
    this.gate = new OperationGate(options);
  }

  prepare(request: OperationRequest): PreparedSubscription {
    const checked = this.gate.check(request);
    if (checked.operation?.operation !== 'subscription') return { kind: 'not-subscription' };
    if (checked.errors) return { kind: 'refused', errors: this.formatErrors(checked.errors) };
    this.options.metrics.operations.inc({ type: 'subscription' });
    return { kind: 'accepted', document: checked.document, request };
  }

  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((e) => this.options.formatError(e.toJSON(), e));
  }

  /**
   * Runs an accepted subscription, handing each result to `next` (awaited, so a slow sink slows only this
   * subscriber). A subscription refused by its resolver (no credential, bad ref) yields one result with errors.
   */
  run(prepared: Extract<PreparedSubscription, { kind: 'accepted' }>, token: string | null, next: (result: FormattedExecutionResult) => void | Promise<void>): RunningSubscription {
    let stopped = false;
    let iterator: AsyncIterator<ExecutionResult> | null = null;
    const format = (result: ExecutionResult): FormattedExecutionResult =>
      result.errors ? { ...result, errors: this.formatErrors(result.errors) } : (result as FormattedExecutionResult); // without errors the shapes are the same
    const done = (async () => {
      const result = await subscribe({
        schema: this.options.schema,
        document: prepared.document,
        operationName: prepared.request.operationName ?? undefined,
        variableValues: prepared.request.variables ?? undefined,
        contextValue: this.options.context(token),
      });
      if (!(Symbol.asyncIterator in result)) {
        if (!stopped) await next(format(result));
        return;
      }
      iterator = result;
      if (stopped) {
        await iterator.return?.();
        return;
      }
      // Not `for await` over an async generator: its return() would wait for the pending next(), so a client
      // that left would keep its poller until the job next changed. graphql-js's iterator returns at once.
      for (;;) {
        const step = await iterator.next();
        if (step.done || stopped) return;
        await next(format(step.value));
      }
    })();
    return {
      done,
      async stop() {
        if (stopped) return;
        stopped = true;
        await iterator?.return?.();
      },
    };
  }
}
