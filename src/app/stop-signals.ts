// SIGTERM and SIGINT stop the service, once. The same stop often arrives twice: a terminal's
// Ctrl-C signals the whole process group, so the service gets it both from the terminal and
// relayed by npm, and process managers and people repeat a signal that seems slow. A later
// signal is logged and otherwise ignored: were no handler left, Node's default would kill
// the process in the middle of its graceful stop.
import type { Logger } from '../logger.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Runs `stop` on the first SIGTERM or SIGINT, then exits 0, or 1 when `stop` fails. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info('shutdown already under way', { signal });
      return;
    }
    stopping = true;
    logger.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}
