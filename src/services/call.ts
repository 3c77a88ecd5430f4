/**
 * The shape every client call shares: one transport GET, 404 as "does not exist", and a body that must have
 * the documented shape (else UPSTREAM_ERROR, never a crash deeper in).
 */
import type { Credential } from '../auth/credentials.js';
import { ErrorCode, UpstreamError } from '../errors.js';
import type { CloudService, JobLocation } from '../model/job.js';
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

/** One route of a service: its name for logs and metrics, the path below the base URL, the query. */
export interface UpstreamCall {
  route: string;
  /** Ids already encoded with `seg`. */
  path: string;
  query?: UpstreamRequest['query'];
}

/** The GETs of one service through one transport, each in a location's region and project, with a credential. */
export function callsOf(transport: UpstreamTransport, service: CloudService) {
  const request = (call: UpstreamCall, at: JobLocation, credential: Credential): UpstreamRequest => ({
    service,
    ...call,
    region: at.region,
    projectId: at.projectId,
    credential,
  });
  return {
    /** Resolves null when upstream answers 404 (the job does not exist). */
    get: <T>(call: UpstreamCall, at: JobLocation, credential: Credential, parse: (body: unknown) => ParseResult<T>) =>
      getParsed(transport, request(call, at, credential), parse),
    /** For list routes, where 404 is an error. */
    list: <T>(call: UpstreamCall, at: JobLocation, credential: Credential, parse: (body: unknown) => ParseResult<T>) =>
      getParsedList(transport, request(call, at, credential), parse),
  };
}

/** The page of a list call, named as every service names it. */
export const pageOf = (query: { offset: number; limit: number }) => ({ offset: query.offset, limit: query.limit });
