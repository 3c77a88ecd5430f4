/**
 * Structured JSON logs (pino). Secrets never reach a log line: we never pass them to the logger, and the
 * redaction list is a second line of defence for anything shaped like a credential header or key.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'token',
  'sk',
  'secretKey',
  'securityToken',
  'signature',
  'authorization',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  '*.token',
  '*.sk',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-auth-token"]',
  '*.headers["x-security-token"]',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cloud-jobs-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined, // pino's overloads want a stream or nothing, not a union
  );
}
