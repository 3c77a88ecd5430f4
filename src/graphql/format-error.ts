/**
 * Every error a client sees carries one of the contract's codes (docs/architecture.md#errors) and never a stack trace or an
 * internal message. GraphQL's own request errors are the client's input, so they are BAD_USER_INPUT; the
 * original Apollo code stays available as `extensions.reason` for tooling that knows it.
 */
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, UpstreamError } from '../errors.js';
import type { Logger } from '../logger.js';

const CONTRACT_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const CLIENT_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);
// Protocol signals of automatic persisted queries: clients react to these exact codes.
const PROTOCOL_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.['code'];
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (original instanceof UpstreamError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, upstream: original.upstream } };
    }
    if (typeof code === 'string' && (CONTRACT_CODES.has(code) || PROTOCOL_CODES.has(code))) {
      return { ...formatted, extensions };
    }
    if (typeof code === 'string' && CLIENT_REQUEST_CODES.has(code)) {
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.BadUserInput, reason: code } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return { message: 'Internal error', ...(formatted.path ? { path: formatted.path } : {}), ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: ErrorCode.UpstreamError } };
  };
}
