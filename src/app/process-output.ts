// What Node and the libraries print on their own, through the logger, so every line the
// service writes is one JSON object: Node's warnings (printed as plain text by default),
// console output (BullMQ's and ioredis's warnings, an SDK's default ConsoleLogger), and the
// stack of a crash.
import { format } from 'node:util';

import type { Logger, LogLevel } from '../logger.js';

const CONSOLE_LEVELS: Record<'debug' | 'log' | 'info' | 'warn' | 'error', LogLevel> = {
  debug: 'debug',
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
};

export function logProcessOutput(logger: Logger): void {
  // Node's default printer is a 'warning' listener; the event still comes to ours.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn(warning.message, { from: 'node', warning: warning.name }));

  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    console[method as keyof typeof CONSOLE_LEVELS] = (...args: unknown[]) => logger[level](format(...args), { from: 'console' });
  }
  console.trace = (...args: unknown[]) => logger.debug(format(...args), { from: 'console', stack: new Error().stack });

  process.on('uncaughtException', (error, origin) => {
    logger.error('crashed', { from: 'node', origin, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
}
