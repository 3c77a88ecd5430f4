/**
 * The one answer to a request body that cannot be read (too large, not JSON), in GraphQL's error shape. Both
 * the response-cache fast path and the Express body parser answer through it, so a client sees the same bytes
 * whichever read the body.
 */
import type http from 'node:http';
import { ErrorCode } from '../errors.js';

/** `status` is the body reader's: 413 too large, 400 not JSON, another 4xx unreadable, 5xx our own failure. */
export function sendBodyError(res: http.ServerResponse, status: number, maxBytes: number): void {
  const clientFault = status >= 400 && status < 500;
  const message =
    status === 413
      ? `Request body larger than ${maxBytes} bytes (MAX_REQUEST_BYTES)`
      : status === 400
        ? 'Request body is not valid JSON'
        : clientFault
          ? 'Request body could not be read'
          : 'Internal error';
  const text = JSON.stringify({ errors: [{ message, extensions: { code: clientFault ? ErrorCode.BadUserInput : ErrorCode.UpstreamError } }] });
  res.writeHead(clientFault ? status : 500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
