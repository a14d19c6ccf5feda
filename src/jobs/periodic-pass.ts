import { silentLogger, type Logger } from '../logger.js';
import type { PassClaim } from './pass-claim.js';

/**
 * A pass that runs on demand and every so often, never twice at once: a caller arriving
 * while a pass is under way shares it. Used by the reconcilers that put Redis back in line
 * with MongoDB. With a claim, a timed pass runs on one instance per interval.
 */
export function createPeriodicPass<R>(name: string, pass: () => Promise<R>, logger: Logger = silentLogger, clock: () => number = Date.now) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<R> | null = null;

  const run = (): Promise<R> => {
    running ??= pass().finally(() => (running = null));
    return running;
  };

  async function tick(intervalMs: number, claim: PassClaim | undefined): Promise<void> {
    if (claim && !(await claim(name.replaceAll(' ', '-'), Math.floor(clock() / intervalMs), intervalMs))) return;
    await run();
  }

  return {
    run,
    /** Runs the pass every `intervalMs`; with `claim`, only when this instance wins the tick. */
    start(intervalMs: number, claim?: PassClaim): void {
      if (timer) return;
      timer = setInterval(() => {
        tick(intervalMs, claim).catch((error: unknown) => logger.error(`${name} failed`, { error }));
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
