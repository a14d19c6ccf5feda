// Bolt logs through our logger, so its lines share our format and level.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

import type { Logger } from '../logger.js';

export function boltLogger(logger: Logger, level: LogLevel): BoltLogger {
  let current = level;
  const join = (msgs: unknown[]) => msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msgs) => logger.debug(join(msgs), { from: 'bolt' }),
    info: (...msgs) => logger.info(join(msgs), { from: 'bolt' }),
    warn: (...msgs) => logger.warn(join(msgs), { from: 'bolt' }),
    error: (...msgs) => logger.error(join(msgs), { from: 'bolt' }),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: () => undefined,
  };
}
