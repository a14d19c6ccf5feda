import { silentLogger, type Logger } from '../logger.js';

/**
 * A pass that runs on demand and every so often, never twice at once: a caller arriving
 * while a pass is under way shares it. Used by the reconcilers that put Redis back in line
 * with MongoDB.
 */
export function createPeriodicPass<R>(name: string, pass: () => Promise<R>, logger: Logger = silentLogger) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<R> | null = null;

  const run = (): Promise<R> => {
    running ??= pass().finally(() => (running = null));
    return running;
  };

  return {
    run,
    start(intervalMs: number): void {
      if (timer) return;
      timer = setInterval(() => {
        run().catch((error: unknown) => logger.error(`${name} failed`, { error }));
      }, intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
