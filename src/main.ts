/** Entry point of `npm start`: configuration, the server, and signals wired to a graceful close. */
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { onFirstSignal } from './signals.js';

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
const server = await startServer(config, { logger });
if (server.simulator) {
  logger.info(`embedded simulator at ${server.simulator.url}; try the demo queries in README.md at ${server.url}`);
}

onFirstSignal((signal) => {
  logger.info({ signal }, 'shutting down');
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
});
