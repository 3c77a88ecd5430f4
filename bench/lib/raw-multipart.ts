/**
 * A minimal reader of Apollo's multipart subscription protocol (fetch and a stream split on the boundary), shaped
 * like the other bench clients. Beside Apollo Client it tells the server's push latency from the client's own
 * parsing and caching cost, which the bench's client process pays on the same cores as the server.
 */
import type { DisposableClient } from '../../test/support/http-subscriptions.js';

const DELIMITER = '\r\n--graphql';

export function rawMultipartClient(url: string): DisposableClient {
  const live = new Set<AbortController>();
  return {
    subscribe(payload, sink) {
      const abort = new AbortController();
      live.add(abort);
      void (async () => {
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' },
            body: JSON.stringify(payload),
            signal: abort.signal,
          });
          const decoder = new TextDecoder();
          let buffered = '';
          for await (const chunk of res.body!) {
            buffered += decoder.decode(chunk as Uint8Array, { stream: true });
            let at: number;
            while ((at = buffered.indexOf(DELIMITER)) >= 0) {
              const part = buffered.slice(0, at);
              buffered = buffered.slice(at + DELIMITER.length);
              const body = part.slice(part.indexOf('\r\n\r\n') + 4);
              if (part.includes('\r\n\r\n') && body.trim() !== '') {
                const message = JSON.parse(body) as { payload?: Record<string, unknown> | null };
                if (message.payload) sink.next(message.payload);
              }
              if (buffered.startsWith('--')) return sink.complete();
            }
          }
          sink.complete();
        } catch (error) {
          if (!abort.signal.aborted) sink.error(error);
        } finally {
          live.delete(abort);
        }
      })();
      return () => abort.abort();
    },
    dispose() {
      for (const abort of live) abort.abort();
      live.clear();
    },
  };
}
