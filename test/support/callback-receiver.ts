/**
 * A small real HTTP server standing in for a router's callback endpoint: it records every request the subgraph
 * sends (headers and JSON body) and answers each with the status a test chooses, or not at all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackMessage {
  kind: string;
  action: 'check' | 'next' | 'complete';
  id: string;
  verifier: string;
  payload?: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: CallbackMessage;
  at: number;
}

/** A status to answer with, or 'hang' to never answer. */
export type Answer = number | 'hang';

export interface CallbackReceiver {
  /** e.g. http://127.0.0.1:1234 */
  origin: string;
  received: Received[];
  /** Chooses the answer to each message; 204 to every one by default. */
  answer: (message: CallbackMessage, path: string) => Answer;
  /** Messages for one subscription id, in arrival order. */
  of(id: string): Received[];
  /** Waits until `predicate` holds over the messages of `id`. */
  waitFor(id: string, predicate: (messages: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: CallbackReceiver = {
    origin: '',
    received: [],
    answer: () => 204,
    of: (id) => receiver.received.filter((r) => r.body.id === id),
    async waitFor(id, predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.of(id))) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(receiver.of(id).map((r) => r.body.action))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return receiver.of(id);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallbackMessage;
      receiver.received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const answer = receiver.answer(body, req.url ?? '');
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'subscription-protocol': 'callback/1.0' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
