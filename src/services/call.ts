/**
 * The shape every client call shares: one transport GET, 404 as "does not exist", and a body that must have
 * the documented shape (else UPSTREAM_ERROR, never a crash deeper in).
 */
import { ErrorCode, UpstreamError } from '../errors.js';
import type { UpstreamRequest, UpstreamTransport } from '../upstream/http.js';
import type { ParseResult } from './parse.js';

export type { ParseResult } from './parse.js';

/** Fetches and validates; resolves null when upstream answers 404. */
export async function getParsed<T>(
  transport: UpstreamTransport,
  req: UpstreamRequest,
  parse: (body: unknown) => ParseResult<T>,
): Promise<T | null> {
  const res = await transport.get(req);
  if (res.status === 404) return null;
  const parsed = parse(res.body);
  if (!parsed.ok) {
    throw new UpstreamError(
      ErrorCode.UpstreamError,
      `${req.service} answered with a body that is not the documented shape (${parsed.issues})`,
      { service: req.service, httpStatus: res.status, errorCode: null, requestId: res.requestId },
    );
  }
  return parsed.value;
}

/** As getParsed, for list routes where 404 is not an answer but an error. */
export async function getParsedList<T>(
  transport: UpstreamTransport,
  req: UpstreamRequest,
  parse: (body: unknown) => ParseResult<T>,
): Promise<T> {
  const value = await getParsed(transport, req, parse);
  if (value === null) {
    throw new UpstreamError(ErrorCode.UpstreamError, `${req.service} answered 404 for ${req.route}`, {
      service: req.service,
      httpStatus: 404,
      errorCode: null,
      requestId: null,
    });
  }
  return value;
}

/** Encodes one path segment (ids come from users). */
export const seg = (value: string): string => encodeURIComponent(value);
