/**
 * Our spans, made through `@opentelemetry/api`: no-ops unless observability/tracing.ts started the SDK.
 * - one SERVER span per GraphQL operation over HTTP, continuing the caller's W3C `traceparent`, active while
 *   Apollo runs the operation so that upstream calls become its children;
 * - one CLIENT span per upstream call (upstream/http.ts);
 * - one span per poll tick (polling/), linked to the subscriptions it serves instead of one endless trace.
 * Attributes never carry a token, a signature, a key or the query text: names, types, routes, codes, counts.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';

const TRACER_NAME = 'cloud-jobs-subgraph';
const tracer = () => trace.getTracer(TRACER_NAME);

/** Express middleware: the operation's span, child of the router's span when a `traceparent` came with it. */
export function operationSpans(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer().startSpan(
      'graphql.operation',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.baseUrl || req.path } },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Names the active operation span after the operation, and marks GraphQL errors by their codes. */
export function operationSpanPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
          span.setAttributes({ 'graphql.operation.type': operation.operation, ...(operationName ? { 'graphql.operation.name': operationName } : {}) });
        },
        async didEncounterErrors({ errors }) {
          const codes = [...new Set(errors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL')))];
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
        },
      };
    },
  };
}

/** Runs `fn` inside a new active span; the span ends (with an error status when `fn` throws) when it settles. */
export function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; root?: boolean }, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      // The code only: messages of our errors are safe, but a foreign error's might not be.
      const code = (err as { code?: unknown }).code; // any thrown value; `code` is read only if present
      span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === 'string' ? { message: code } : {}) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Marks a subscription's start with a short span (a child of the operation when one is active), and returns its
 * context for the poll ticks that serve the subscription to link to; null when nothing is recorded.
 */
export function subscriptionStarted(field: string, operationName: string | undefined): SpanContext | null {
  const span = tracer().startSpan(`subscription ${operationName ?? field}`, {
    kind: SpanKind.SERVER,
    attributes: { 'graphql.operation.type': 'subscription', 'graphql.field.name': field, ...(operationName ? { 'graphql.operation.name': operationName } : {}) },
  });
  const recorded = span.isRecording() ? span.spanContext() : null;
  span.end();
  return recorded;
}

/** Links a poll span may carry: OpenTelemetry's default limit per span. */
export const MAX_LINKS = 128;

export { SpanKind, type SpanContext };
