/**
 * The API gateway's credential check (docs/upstream.md#authentication, docs/upstream.md#simulator): a known X-Auth-Token, or an SDK-HMAC-SHA256
 * signature rebuilt from the request as received over exactly the headers it lists in SignedHeaders.
 * Nothing here ever echoes a token, secret key or signature.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  parseSdkDate,
  signaturesEqual,
} from '../auth/signer.js';
import { APIG_ERRORS, type ErrorCode } from './errors.js';

/** Projects a credential may use: a list, or every project. */
export type ProjectScope = readonly string[] | '*';

export interface AuthConfig {
  tokens: ReadonlyMap<string, ProjectScope>;
  accessKeys: ReadonlyMap<string, { sk: string; projects: ProjectScope }>;
  now: () => number;
}

export type AuthKind = 'token' | 'aksk' | 'none';

export interface PresentedCredential {
  kind: AuthKind;
  /** `token:<8 hex of sha256>` or `ak:<AK>`; never the secret itself. */
  credential?: string;
}

export type AuthOutcome = { ok: true; projects: ProjectScope } | { ok: false; error: ErrorCode };

/** APIG rejects X-Sdk-Date more than 15 minutes from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function tokenFingerprint(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

/** Which credential the request presents (for call records), before any verification. */
export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential {
  const token = header(headers, 'x-auth-token');
  if (token !== undefined) return { kind: 'token', credential: tokenFingerprint(token) };
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined) {
    const ak = /Access=([^,\s]+)/.exec(authorization)?.[1];
    return ak === undefined ? { kind: 'aksk' } : { kind: 'aksk', credential: `ak:${ak}` };
  }
  return { kind: 'none' };
}

export function allowsProject(scope: ProjectScope, projectId: string): boolean {
  return scope === '*' || scope.includes(projectId);
}

function verifySignature(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  authorization: string,
  config: AuthConfig,
): AuthOutcome {
  const fail: AuthOutcome = { ok: false, error: APIG_ERRORS.badSignature };
  const parsed = parseAuthorization(authorization);
  if (!parsed || !parsed.signedHeaders.includes('x-sdk-date')) return fail;
  const sdkDate = header(headers, 'x-sdk-date');
  const date = sdkDate === undefined ? null : parseSdkDate(sdkDate.trim());
  if (sdkDate === undefined || date === null) return fail;
  if (Math.abs(config.now() - date.getTime()) > MAX_CLOCK_SKEW_MS) return fail;
  const key = config.accessKeys.get(parsed.ak);
  if (!key) return fail;
  // All received headers go in (X-Sdk-Content-Sha256 may matter unsigned); only the listed ones are signed.
  const received: Record<string, string> = {};
  for (const name of Object.keys(headers)) received[name] = header(headers, name) ?? '';
  const canonical = canonicalRequest({ method, url, headers: received }, parsed.signedHeaders);
  const expected = computeSignature(canonical, sdkDate.trim(), key.sk);
  return signaturesEqual(expected, parsed.signature) ? { ok: true, projects: key.projects } : fail;
}

export function authenticate(method: string, url: URL, headers: IncomingHttpHeaders, config: AuthConfig): AuthOutcome {
  const token = header(headers, 'x-auth-token');
  if (token !== undefined) {
    const projects = config.tokens.get(token);
    return projects === undefined ? { ok: false, error: APIG_ERRORS.badToken } : { ok: true, projects };
  }
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined) return verifySignature(method, url, headers, authorization, config);
  return { ok: false, error: APIG_ERRORS.noCredential };
}
