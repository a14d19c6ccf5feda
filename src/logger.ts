// A small levelled logger writing one JSON object per line to stderr. Callers pass
// context objects; secrets never go into them (config values are not logged), and every
// line is redacted on the way out in case a library's message quotes a connection string.
import { redactDeep, redactSecrets } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const log = (at: LogLevel) => (msg: string, ctx: Record<string, unknown> = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const fields = Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, redactDeep(v instanceof Error ? v.message : v)]));
    write(JSON.stringify({ time: new Date().toISOString(), level: at, msg: redactSecrets(msg), ...fields }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
