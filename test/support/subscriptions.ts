/** A graphql-ws client over a real WebSocket, and a collector that turns a subscription into awaitable messages. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Message {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface Collected {
  messages: Message[];
  /** Date.now() when each message arrived (same index as `messages`). */
  receivedAt: number[];
  /** Resolves when the server completes the subscription (or it errors). */
  done: Promise<{ error?: unknown }>;
  /** Waits until at least n messages arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Message[]>;
  unsubscribe(): void;
}

export function wsClient(httpUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** What graphql-ws's and graphql-sse's clients have in common (test/support/http-subscriptions.ts adapts Apollo Client). */
export interface SubscribingClient {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(value: unknown): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

export function collect(client: SubscribingClient, query: string, variables: Record<string, unknown> = {}): Collected {
  const messages: Message[] = [];
  const receivedAt: number[] = [];
  const waiters: Array<() => void> = [];
  let finish!: (r: { error?: unknown }) => void;
  const done = new Promise<{ error?: unknown }>((resolve) => (finish = resolve));
  const wake = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (m: unknown) => {
        messages.push(m as Message);
        receivedAt.push(Date.now());
        wake();
      },
      error: (error: unknown) => {
        finish({ error });
        wake();
      },
      complete: () => {
        finish({});
        wake();
      },
    },
  );
  let finished = false;
  void done.then(() => (finished = true));
  return {
    messages,
    receivedAt,
    done,
    unsubscribe,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (finished) throw new Error(`subscription ended after ${messages.length} of ${n} messages: ${JSON.stringify(messages)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out with ${messages.length} of ${n} messages: ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return messages;
    },
  };
}

/** The `data:` events of a whole text/event-stream response (what a gateway sends a client), parsed. */
export function sseEvents(text: string): Message[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l.length > 6)
    .map((l) => JSON.parse(l.slice(6)) as Message);
}
