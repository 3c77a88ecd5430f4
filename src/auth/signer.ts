/**
 * SDK-HMAC-SHA256 request signing (docs/upstream.md#authentication), used by the upstream clients to sign and by the simulator
 * to verify, so both sides share one canonicalization. Reproduces the official test vectors (test/signer.test.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignableRequest {
  method: string;
  url: URL;
  /** Header names in any case; values as sent. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface AccessKeyPair {
  ak: string;
  sk: string;
}

/** Percent-encodes everything but `A-Z a-z 0-9 - _ . ~`, upper-case hex over UTF-8 (step 4). */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Canonical URI: each segment re-encoded, always ending in `/` (step 4). */
export function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split('/')
    .map((segment) => encodeSegment(safeDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** Canonical query: sorted by key, repeated keys by value, both encoded (step 5). */
export function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params.entries()].map(([k, v]) => [encodeSegment(k), encodeSegment(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function lowerCaseHeaders(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) out.set(name.toLowerCase(), value);
  return out;
}

export function payloadHash(req: SignableRequest): string {
  const explicit = lowerCaseHeaders(req.headers).get('x-sdk-content-sha256');
  if (explicit) return explicit;
  if (req.body === undefined || req.body.length === 0) return EMPTY_BODY_SHA256;
  return createHash('sha256').update(req.body).digest('hex');
}

/** The six-part canonical request of step 7, over the given (lower-case, sorted) signed headers. */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const headers = lowerCaseHeaders(req.headers);
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headers.get(name) ?? '').trim()}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(req.url.pathname),
    canonicalQuery(req.url.searchParams),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash(req),
  ].join('\n');
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
}

export function computeSignature(canonical: string, sdkDate: string, sk: string): string {
  return createHmac('sha256', sk).update(stringToSign(canonical, sdkDate)).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` in UTC (step 1). */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses `X-Sdk-Date`; null when malformed. */
export function parseSdkDate(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Headers we sign: every header except content-type and names with `_` (as the Go SDK), plus `host`
 * (as the Python SDK), so the signature binds the request to its endpoint.
 */
export function defaultSignedHeaders(headers: Record<string, string>): string[] {
  return [...lowerCaseHeaders(headers).keys()]
    .filter((name) => !name.startsWith('content-type') && !name.includes('_'))
    .sort();
}

/**
 * Signs a request in place: sets `X-Sdk-Date` (unless already present), `Host` and `Authorization`.
 * Returns the same headers object for chaining.
 */
export function signRequest(
  req: SignableRequest,
  keys: AccessKeyPair,
  now: Date = new Date(),
): Record<string, string> {
  const headers = req.headers;
  const present = lowerCaseHeaders(headers);
  if (!present.has('x-sdk-date')) headers['X-Sdk-Date'] = formatSdkDate(now);
  if (!present.has('host')) headers['Host'] = req.url.host;
  const sdkDate = lowerCaseHeaders(headers).get('x-sdk-date')!;
  const signed = defaultSignedHeaders(headers);
  const signature = computeSignature(canonicalRequest(req, signed), sdkDate, keys.sk);
  headers['Authorization'] =
    `${SIGNING_ALGORITHM} Access=${keys.ak}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}

export interface ParsedAuthorization {
  ak: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=a;b, Signature=hex`; null when it is not that. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(
    header.trim(),
  );
  if (!m) return null;
  return { ak: m[1]!, signedHeaders: m[2]!.split(';').map((h) => h.toLowerCase()), signature: m[3]!.toLowerCase() };
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
