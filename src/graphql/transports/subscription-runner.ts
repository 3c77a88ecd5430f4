/**
 * Subscriptions for the transports that run them outside Apollo and graphql-ws: SSE and multipart
 * (graphql/transports/http-streams.ts) and the HTTP callback protocol (graphql/transports/callback.ts). It knows
 * nothing of HTTP: the operation gate's checks, the request's credential, graphql-js `subscribe()` on the shared
 * pollers, stopping, and every error through the one formatError, the same as graphql-ws
 * (graphql/transports/websocket.ts, which keeps graphql-ws's own executor and so uses the gate directly).
 */
import {
  GraphQLError,
  subscribe,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { badUserInput } from '../../errors.js';
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
  /** A valid query or mutation: not for this runner. */
  | { kind: 'not-subscription' }
  /**
   * Refused before it is known to be a subscription: the document does not parse (token limit included), a query
   * or mutation fails validation, the operation exceeds the upstream budget, or `operationName` names none. A
   * transport that takes only subscriptions leaves it to Apollo; one that takes every request it is sent answers
   * with these errors.
   */
  | { kind: 'invalid'; errors: GraphQLFormattedError[] }
  /** A subscription that fails validation: a 400 with these errors. */
  | { kind: 'refused'; errors: GraphQLFormattedError[] }
  /** `context` is the one the operation will run with, so a transport can refuse early what its resolver would. */
  | { kind: 'accepted'; document: DocumentNode; request: OperationRequest; context: GraphQLContext };

export type AcceptedSubscription = Extract<PreparedSubscription, { kind: 'accepted' }>;

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

  /** Checks a request and, for an accepted subscription, builds its context from `token` (the request's, or null). */
  prepare(request: OperationRequest, token: string | null): PreparedSubscription {
    const checked = this.gate.check(request);
    if (checked.operation?.operation === 'subscription') {
      if (checked.errors) return { kind: 'refused', errors: this.formatErrors(checked.errors) };
      return { kind: 'accepted', document: checked.document, request, context: this.options.context(token) };
    }
    if (checked.errors) return { kind: 'invalid', errors: this.formatErrors(checked.errors) };
    if (!checked.operation) return { kind: 'invalid', errors: this.formatErrors([badUserInput('No operation of that name in the document')]) };
    return { kind: 'not-subscription' };
  }

  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((e) => this.options.formatError(e.toJSON(), e));
  }

  /**
   * Runs an accepted subscription, handing each result to `next` (awaited, so a slow sink slows only this
   * subscriber). A subscription refused by its resolver (no credential, bad ref, MAX_POLLERS) yields one result
   * with errors and never calls `started`; one that attached to its poller calls `started` once, before the
   * first `next`, so a transport that answers the request itself (callback.ts) knows which answer to give.
   */
  run(prepared: AcceptedSubscription, next: (result: FormattedExecutionResult) => void | Promise<void>, started?: () => void): RunningSubscription {
    let stopped = false;
    let iterator: AsyncIterator<ExecutionResult> | null = null;
    const format = (result: ExecutionResult): FormattedExecutionResult =>
      result.errors ? { ...result, errors: this.formatErrors(result.errors) } : (result as FormattedExecutionResult); // without errors the shapes are the same
    // Counted when it runs, not when it passes the gate: a request refused afterwards (MAX_CONNECTIONS, the
    // callback check) runs nothing, as a WebSocket refused at its upgrade sends nothing.
    this.options.metrics.operations.inc({ type: 'subscription' });
    const done = (async () => {
      const result = await subscribe({
        schema: this.options.schema,
        document: prepared.document,
        operationName: prepared.request.operationName ?? undefined,
        variableValues: prepared.request.variables ?? undefined,
        contextValue: prepared.context,
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
      started?.();
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
