/**
 * The one error vocabulary (docs/architecture.md#errors). Nothing else in the code base invents `extensions.code` values:
 * validation throws `badUserInput`, upstream clients throw `UpstreamError`, and `toGraphQLError` turns either
 * into what a client sees.
 */
import { GraphQLError } from 'graphql';
import type { CloudService } from './model/job.js';

export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  UpstreamError: 'UPSTREAM_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface UpstreamErrorDetails {
  service: CloudService;
  /** null when no HTTP response arrived (timeout, reset, refused). */
  httpStatus: number | null;
  errorCode: string | null;
  requestId: string | null;
}

/** A failed upstream call, already classified into a contract code. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly upstream: UpstreamErrorDetails,
    /** Milliseconds the upstream asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | null = null,
    /** True when retrying now is pointless (an open circuit): fail fast. */
    readonly final = false,
  ) {
    super(message);
  }
}

export function badUserInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, ...extra } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated } });
}

/** Classifies an upstream HTTP status into a contract code. */
export function codeForHttpStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return ErrorCode.BadUserInput;
  if (status === 401) return ErrorCode.Unauthenticated;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 429) return ErrorCode.RateLimited;
  if (status === 502 || status === 503 || status === 504) return ErrorCode.UpstreamUnavailable;
  return ErrorCode.UpstreamError;
}

/** Converts anything thrown below a resolver into a GraphQLError with a contract code. */
export function toGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  if (err instanceof UpstreamError) {
    return new GraphQLError(err.message, {
      originalError: err, // keeps retryAfterMs for pollers
      extensions: { code: err.code, upstream: { ...err.upstream } },
    });
  }
  // Unknown internals are not shown to clients: the message could carry anything.
  return new GraphQLError('Internal error', { extensions: { code: ErrorCode.UpstreamError } });
}
