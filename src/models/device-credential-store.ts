// Device credentials as the CLI manages them and the result worker asks about them: enrolling
// makes a key pair and keeps the public half (a new enrollment replaces the old, which stops
// working at once); the worker reads a device's public key, cached briefly per process so a
// revoke takes effect within `cacheMs` everywhere.
import type { Connection } from 'mongoose';

import type { Actor } from '../engine/types.js';
import { AppError, ErrorCode } from '../errors.js';
import { createLru } from '../lru.js';
import { createDeviceKeyPair, parseDeviceCredential, type DeviceCredential } from '../runner/device-credential.js';
import { deviceCredentialModel } from './device-credential-model.js';
import { DeviceId } from './device-model.js';
import { storedActor, type StoredActor } from './runbook-subschemas.js';

export interface EnrolledDevice {
  device_id: string;
  created_at: Date;
  created_by: StoredActor;
}

export type DeviceCredentialStore = ReturnType<typeof createDeviceCredentialStore>;

function deviceId(value: string): string {
  const parsed = DeviceId.safeParse(value);
  if (!parsed.success) throw new AppError(ErrorCode.Validation, `device id ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { details: { device_id: value } });
  return parsed.data;
}

export function createDeviceCredentialStore(conn: Connection, opts: { now?: () => number; cacheMs?: number } = {}) {
  const Credentials = deviceCredentialModel(conn);
  const now = opts.now ?? Date.now;
  const cacheMs = opts.cacheMs ?? 5_000;
  const cache = createLru<{ key: string | null; at: number }>(10_000);

  return {
    /** A new credential for the device (returned once, never stored), replacing any earlier one. */
    async enroll(id: string, by: Actor): Promise<{ credential: string; replaced: boolean }> {
      const device = deviceId(id);
      const pair = createDeviceKeyPair(device);
      const previous = await Credentials.findOneAndUpdate(
        { _id: device },
        { $set: { public_key: pair.publicKey, created_at: new Date(now()), created_by: storedActor(by) } },
        { upsert: true, returnDocument: 'before', lean: true },
      ).exec();
      cache.delete(device);
      return { credential: pair.credential, replaced: previous !== null };
    },

    /** Deletes the device's credential; throws not_found when it has none. */
    async revoke(id: string): Promise<void> {
      const device = deviceId(id);
      const { deletedCount } = await Credentials.deleteOne({ _id: device }).exec();
      cache.delete(device);
      if (deletedCount === 0) throw new AppError(ErrorCode.NotFound, `device ${device} is not enrolled: nothing to revoke`, { details: { device_id: device } });
    },

    async list(): Promise<EnrolledDevice[]> {
      const docs = await Credentials.find().sort({ _id: 1 }).lean().exec();
      return docs.map((d) => ({ device_id: d._id, created_at: d.created_at, created_by: d.created_by }));
    },

    /** The device's public key (base64 SPKI), or null when it is not enrolled. */
    async publicKey(id: string): Promise<string | null> {
      const hit = cache.get(id);
      if (hit && now() - hit.at < cacheMs) return hit.key;
      const doc = await Credentials.findById(id).lean().exec();
      const key = doc?.public_key ?? null;
      cache.set(id, { key, at: now() });
      return key;
    },
  };
}

/** Enrolls a runner living in this process (the sandbox's demo device, benchmarks): its credential never leaves it. */
export async function enrollInProcess(store: Pick<DeviceCredentialStore, 'enroll'>, id: string, by: Actor): Promise<DeviceCredential> {
  return parseDeviceCredential((await store.enroll(id, by)).credential);
}
