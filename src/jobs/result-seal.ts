// The bot's own tool results (a call's timeout, a call it could not send) carry its seal: an
// HMAC with a key kept in the database, which bot instances read and runners cannot reach.
// Runners hold the Redis password BullMQ needs, so without the seal one could queue a
// "did not answer" for another device's call and fail its step.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Connection } from 'mongoose';

import { canonicalJson } from '../engine/definition/canonical.js';
import { insertOnce } from '../models/insert-once.js';
import type { ToolResultJob } from './tool-queue.js';

const SEAL_ID = 'tool-result-seal';

type Sealed = Omit<ToolResultJob, 'signature'>;

export interface ResultSeal {
  seal(result: Sealed): string;
  check(result: Sealed, signature: string): boolean;
}

export function resultSeal(key: Buffer): ResultSeal {
  const mac = (result: Sealed) => {
    const { callId, runId, stepId, visit, try: attempt, deviceId, source, ok, output, error } = result;
    return createHmac('sha256', key).update(canonicalJson([callId, runId, stepId, visit, attempt, deviceId, source, ok, output, error])).digest();
  };
  return {
    seal: (result) => mac(result).toString('base64url'),
    check(result, signature) {
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(result);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** The seal every bot instance shares: made by the first to start, read by the others. */
export async function loadResultSeal(conn: Connection): Promise<ResultSeal> {
  const secrets = conn.collection<{ _id: string; key: string }>('bot_secrets');
  // insertOnce takes any collection; this one's documents have string ids.
  await insertOnce(secrets as unknown as Parameters<typeof insertOnce>[0], { _id: SEAL_ID, key: randomBytes(32).toString('base64') });
  const doc = await secrets.findOne({ _id: SEAL_ID });
  if (!doc) throw new Error('the tool result seal could not be read back');
  return resultSeal(Buffer.from(doc.key, 'base64'));
}
