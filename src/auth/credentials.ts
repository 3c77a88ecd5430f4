/**
 * Which credential an operation runs with (docs/architecture.md#credentials), and its fingerprint. Caches, loaders and pollers are
 * keyed by the fingerprint, never by the secret, so data fetched with one credential is never served to another.
 */
import { createHash } from 'node:crypto';
import { signRequest, type SignableRequest } from './signer.js';

/** The service's own AK/SK (and temporary security token), from configuration. */
export interface AccessKeyCredentials {
  ak: string;
  sk: string;
  securityToken: string | null;
}

export type Credential =
  | { kind: 'token'; token: string; fingerprint: string }
  | { kind: 'aksk'; ak: string; sk: string; securityToken: string | null; fingerprint: string };

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export function tokenCredential(token: string): Credential {
  return { kind: 'token', token, fingerprint: `token:${digest('token', token)}` };
}

export function accessKeyCredential(keys: AccessKeyCredentials): Credential {
  return {
    kind: 'aksk',
    ak: keys.ak,
    sk: keys.sk,
    securityToken: keys.securityToken,
    // The AK is not secret, but the pair is what grants access: rotate the SK and the fingerprint changes.
    fingerprint: `aksk:${digest('aksk', keys.ak, keys.sk, keys.securityToken ?? '')}`,
  };
}

/** Finds `X-Auth-Token` in a header-like record, case-insensitively. */
export function findAuthToken(headers: Record<string, unknown> | null | undefined): string | null {
  if (!headers || typeof headers !== 'object') return null;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'x-auth-token') continue;
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && text.trim() !== '') return text.trim();
  }
  return null;
}

/** Adds the auth headers for one attempt (a new signature each time: `X-Sdk-Date` must be fresh). */
export function authorize(req: SignableRequest, credential: Credential, projectId: string, now = new Date()): void {
  if (credential.kind === 'token') {
    req.headers['X-Auth-Token'] = credential.token;
    return;
  }
  req.headers['X-Project-Id'] = projectId;
  if (credential.securityToken) req.headers['X-Security-Token'] = credential.securityToken;
  signRequest(req, credential, now);
}
