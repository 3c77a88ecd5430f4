/**
 * One cap on live connections per process (MAX_CONNECTIONS), shared by every transport that holds a connection
 * open: a WebSocket, an HTTP response streaming a subscription (graphql/transports/http-streams.ts), or a
 * callback subscription (no socket, but a poller and our calls to its router). Each takes a slot when it is
 * accepted and gives it back exactly once when it ends.
 */
import type { Metrics } from '../../observability/metrics.js';

/** What a connection refused for MAX_CONNECTIONS is told, whatever its transport (with HTTP 503). */
export const CONNECTIONS_FULL_MESSAGE = 'Too many open connections (MAX_CONNECTIONS); try again later';

export type ConnectionTransport = 'websocket' | 'sse' | 'multipart' | 'callback';

export class ConnectionLimiter {
  private readonly open = new Map<ConnectionTransport, number>([
    ['websocket', 0],
    ['sse', 0],
    ['multipart', 0],
    ['callback', 0],
  ]);
  private total = 0;
  private closed = false;

  constructor(
    private readonly max: number,
    private readonly refused: Metrics['connectionsRefused'],
  ) {}

  /** A release function for a new connection, or null (counted as a refusal) when the process is full or closing. */
  tryOpen(transport: ConnectionTransport): (() => void) | null {
    if (this.closed || this.total >= this.max) {
      this.refused.inc({ transport });
      return null;
    }
    this.total++;
    this.open.set(transport, (this.open.get(transport) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      this.open.set(transport, (this.open.get(transport) ?? 1) - 1);
    };
  }

  /** From now on every new connection is refused (shutdown). */
  close(): void {
    this.closed = true;
  }

  /** Open connections by transport, for /metrics. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.open);
  }
}
