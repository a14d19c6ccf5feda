// `npm start`: the long-running service. Configuration problems stop it with one line
// each; SIGTERM and SIGINT stop it gracefully, whenever they come (see app/stop-signals.ts).
import type { App } from './app/create-app.js';
import { logProcessOutput } from './app/process-output.js';
import { stopOnSignals } from './app/stop-signals.js';
import { loadConfig, type Config } from './config/env.js';
import { ensureFerretdbBinary } from './embedded/ferretdb.js';
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
logProcessOutput(logger);
const stopRequested = new AbortController();

/** The running app; null when told to stop before it was up. */
async function start(): Promise<App | null> {
  try {
    // Built here rather than on the way to the database: a first start compiles FerretDB
    // for a minute or two, and from here its progress goes through the logger and a stop
    // signal cuts the build short.
    if (config.mongodbUri === undefined) await ensureFerretdbBinary({ logger, signal: stopRequested.signal });
    // Loaded once the signal handlers are in place: loading the app takes a second or two,
    // during which a stop signal would otherwise kill the process outright.
    const { startApp } = await import('./app/create-app.js');
    if (stopRequested.signal.aborted) return null;
    return await startApp({ config, logger });
  } catch (error) {
    if (stopRequested.signal.aborted && error === stopRequested.signal.reason) return null;
    logger.error('cannot start', { error: asAppError(error).message });
    process.exit(1);
  }
}

const started = start();
stopOnSignals(logger, async () => {
  stopRequested.abort();
  const app = await started;
  if (app) await app.stop();
  else logger.info('stopped');
});
