/** What a handler returns, and how it goes on the wire (every response: JSON content type and X-Request-Id). */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface SimResponse {
  status: number;
  /** Serialized as JSON, unless a string, which is sent verbatim (faults use that for odd bodies). */
  body: unknown;
  headers?: Record<string, string>;
}

/** 32 lower-case hex characters, like the gateway's X-Request-Id. */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function json(status: number, body: unknown): SimResponse {
  return { status, body };
}

export function serializeBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export function writeResponse(res: ServerResponse, requestId: string, response: SimResponse, rawBody?: string): void {
  if (res.headersSent || res.destroyed) return;
  const payload = rawBody ?? serializeBody(response.body);
  res.writeHead(response.status, {
    'Content-Type': 'application/json',
    ...response.headers,
    'X-Request-Id': requestId,
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
