// `npm start`: the long-running service. Configuration problems stop it with one line
// each; SIGTERM and SIGINT stop it gracefully.
import { startApp } from './app/create-app.js';
import { loadConfig, type Config } from './config/env.js';
import { asAppError, ConfigError } from './errors.js';
import { createLogger } from './logger.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`runbook-bot: cannot start, the environment has ${error.problems.length} problem(s):\n`);
      for (const problem of error.problems) process.stderr.write(`  ${problem}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);

try {
  const app = await startApp({ config, logger });
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.error('cannot start', { error: asAppError(error).message });
  process.exit(1);
}
