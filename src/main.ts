/** Entry point of `npm start`: configuration, the server, and signals wired to a graceful close. */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { startTracing } from './observability/tracing.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    for (const problem of err.problems) process.stderr.write(`cloud-jobs-subgraph: invalid configuration: ${problem}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
// Before the server: the SDK must own the global tracer provider and context manager when spans begin.
const tracing = startTracing();
if (tracing) logger.info('exporting traces over OTLP (OTEL_* variables)');
const server = await startServer(config, { logger });
if (server.simulator) {
  logger.info(`embedded simulator at ${server.simulator.url}; try the demo queries in README.md at ${server.url}`);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      // Spans of the last requests are flushed before the process ends.
      () => tracing?.shutdown().catch(() => undefined).finally(() => process.exit(0)) ?? process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
