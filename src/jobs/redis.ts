// Redis connections for BullMQ queues, workers and the odd direct command.
import { Redis } from 'ioredis';

import { AppError, ErrorCode } from '../errors.js';
import { redactSecrets } from '../redact.js';

export interface CreateRedisOptions {
  /**
   * A connection for a BullMQ Worker (or QueueEvents): blocking commands must wait out
   * reconnects instead of failing after N retries, so BullMQ requires
   * `maxRetriesPerRequest: null` there.
   */
  forWorker?: boolean;
}

export function createRedis(url: string, opts: CreateRedisOptions = {}): Redis {
  return new Redis(url, {
    // Queue commands fail fast while Redis is down, so a Slack click gets an answer.
    maxRetriesPerRequest: opts.forWorker ? null : 3,
    enableReadyCheck: true,
  });
}

/** Resolves when Redis answers PING; otherwise throws an AppError naming the URL. */
export async function pingRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // one attempt: this is a probe
  });
  // ioredis reports the real cause (ECONNREFUSED...) only on 'error'; connect() rejects
  // with a bare "Connection is closed", so remember the former for the message.
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const why = lastError?.message ?? (e as Error).message;
    throw new AppError(ErrorCode.Internal, `Redis is not reachable at ${redactSecrets(url)}: ${why}`, { cause: lastError ?? e });
  } finally {
    client.disconnect();
  }
}
