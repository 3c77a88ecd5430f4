/** Entry point of `npm start`: configuration, the server, and signals wired to a graceful close. */
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { onFirstSignal } from './signals.js';
import { startTracing } from './observability/tracing.js';

/** The configuration, or every problem with it on stderr and exit code 1. */
function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`cloud-jobs-subgraph: invalid configuration: ${problem}\n`);
      process.exit(1);
    }
    throw err;
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
// Before the server: the SDK must own the global tracer provider and context manager when spans begin.
const tracing = startTracing();
if (tracing) logger.info('exporting traces over OTLP (OTEL_* variables)');
const server = await startServer(config, { logger });
if (server.simulator) {
  logger.info(`embedded simulator at ${server.simulator.url}; try the demo queries in README.md at ${server.url}`);
}

onFirstSignal((signal) => {
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
