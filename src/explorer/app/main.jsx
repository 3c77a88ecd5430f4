/**
 * The explorer's browser entry: GraphiQL 5, bundled with everything it loads (Monaco, its workers, fonts) by
 * scripts/build-explorer.mjs and served by src/explorer/index.ts from the server itself. Nothing here talks to
 * another host: queries go over HTTP and subscriptions over graphql-ws to the page's own URL.
 */
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { getOperationAST, parse } from 'graphql';
import 'graphiql/style.css';
import './explorer.css';

/** Written into the page by the server (a JSON data block, allowed by the page's Content-Security-Policy). */
const config = JSON.parse(document.getElementById('explorer-config').textContent);

// GraphiQL 5 edits with Monaco, whose language services run in web workers. Ours are bundled next to this
// script and served from the same origin (no CDN, no blob: URL).
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    return new Worker(config.workers[label] ?? config.workers.editor, { name: `monaco-${label}` });
  },
};

// The page is served at the GraphQL path itself: HTTP and WebSocket go to the same URL.
const httpUrl = new URL(location.pathname, location.origin).href;
const wsUrl = httpUrl.replace(/^http/, 'ws');

/** The header editor's JSON, minus empty values (an empty "X-Auth-Token" means "no token"). */
function headersToSend(headers) {
  const sent = {};
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return sent;
  for (const [name, value] of Object.entries(headers)) {
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value.trim() : String(value);
    if (text !== '') sent[name] = text;
  }
  return sent;
}

/** One lazy graphql-ws client per distinct set of headers: they are its connectionParams. */
const wsClients = new Map();
function wsClientFor(headers) {
  const key = JSON.stringify(headers);
  let client = wsClients.get(key);
  if (!client) {
    client = createClient({ url: wsUrl, connectionParams: headers, lazy: true, retryAttempts: 3 });
    wsClients.set(key, client);
  }
  return client;
}

function isSubscription(params, documentAST) {
  try {
    const doc = documentAST ?? parse(params.query);
    return getOperationAST(doc, params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** graphql-ws reports a closed socket as a CloseEvent and a refused operation as GraphQL errors. */
function subscriptionError(error) {
  if (Array.isArray(error) || error instanceof Error) return error;
  if (error && typeof error === 'object' && 'code' in error) {
    return new Error(`WebSocket closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`);
  }
  return new Error(`WebSocket connection to ${wsUrl} failed`);
}

async function fetcher(params, options = {}) {
  const headers = headersToSend(options.headers);
  if (isSubscription(params, options.documentAST)) {
    const client = wsClientFor(headers);
    // An Observable: GraphiQL shows each message and calls unsubscribe() on ■.
    return {
      subscribe(observer) {
        const unsubscribe = client.subscribe(params, {
          next: (value) => observer.next?.(value),
          error: (error) => observer.error?.(subscriptionError(error)),
          complete: () => observer.complete?.(),
        });
        return { unsubscribe };
      },
    };
  }
  // JSON POST: passes Apollo's CSRF prevention (it only refuses "simple" requests).
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: { accept: 'application/graphql-response+json, application/json', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(params),
    credentials: 'same-origin',
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
}

function Explorer() {
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={config.tabs}
      defaultQuery={config.defaultQuery}
      defaultHeaders={config.defaultHeaders}
      defaultEditorToolsVisibility="headers"
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>
        <span className="explorer-title">{config.title}</span>
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('explorer')).render(<Explorer />);
