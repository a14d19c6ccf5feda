import type { Connection } from 'mongoose';

import { isDuplicateKeyError } from '../errors.js';
import { deviceBeatId, deviceBeatModel, type DeviceBeatDoc } from './device-beat-model.js';
import { deviceModel, type DeviceDoc } from './device-model.js';

/** Heartbeats a device may miss before it counts as offline. */
export const MISSED_HEARTBEATS = 3;

/** What a runner says about its device when it starts. */
export type DeviceRegistration = Pick<DeviceDoc, 'hostname' | 'os' | 'tags' | 'tools' | 'runner_version' | 'session' | 'pid'> & { id: string };

export type DeviceStatus = 'online' | 'offline';

export interface Device extends DeviceRegistration {
  status: DeviceStatus;
  registered_at: number;
  started_at: number;
  last_seen: number;
  stopped_at: number | null;
}

export interface DeviceStoreOptions {
  now?: () => number;
  /** How often runners beat; a device silent for MISSED_HEARTBEATS of these is offline. */
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;

export type DeviceStore = ReturnType<typeof createDeviceStore>;

export function createDeviceStore(conn: Connection, opts: DeviceStoreOptions = {}) {
  const Devices = deviceModel(conn);
  const Beats = deviceBeatModel(conn);
  const now = opts.now ?? Date.now;
  const offlineAfterMs = MISSED_HEARTBEATS * (opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);

  /** The device as registered, with its current session's latest beat (if any) applied. */
  const toDevice = (doc: DeviceDoc, beat: DeviceBeatDoc | null | undefined): Device => {
    const lastSeen = Math.max(doc.last_seen.getTime(), beat?.last_seen.getTime() ?? 0);
    const stoppedAt = beat?.stopped_at ?? doc.stopped_at;
    const online = stoppedAt === null && now() - lastSeen <= offlineAfterMs;
    return {
      id: doc._id,
      hostname: doc.hostname,
      os: doc.os,
      tags: doc.tags,
      tools: doc.tools,
      runner_version: doc.runner_version,
      session: doc.session,
      pid: doc.pid,
      status: online ? 'online' : 'offline',
      registered_at: doc.registered_at.getTime(),
      started_at: doc.started_at.getTime(),
      last_seen: lastSeen,
      stopped_at: stoppedAt?.getTime() ?? null,
    };
  };

  const beatOf = (doc: DeviceDoc) => Beats.findById(deviceBeatId(doc._id, doc.session)).lean<DeviceBeatDoc>().exec();

  /** This session's beat, written by its runner alone; false when another session holds the device. */
  async function beat(id: string, session: string, set: Partial<DeviceBeatDoc>): Promise<boolean> {
    const device = await Devices.findById(id, { session: 1 }).lean<Pick<DeviceDoc, 'session'>>().exec();
    if (device?.session !== session) return false;
    const update = set.last_seen ? { $set: set } : { $set: set, $setOnInsert: { last_seen: new Date(now()) } };
    const write = () => Beats.updateOne({ _id: deviceBeatId(id, session) }, update, { upsert: true }).exec();
    // Two beats of one session at once may both try to create its document (FerretDB's upsert
    // is a read then an insert): the loser finds it there the second time.
    await write().catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
      return write();
    });
    return true;
  }

  return {
    offlineAfterMs,

    /** A runner starting: creates the device or takes it over, keeping its first registration time. */
    async register(reg: DeviceRegistration): Promise<Device> {
      const at = new Date(now());
      const { id, ...fields } = reg;
      const doc = await Devices.findOneAndUpdate(
        { _id: id },
        { $set: { ...fields, started_at: at, last_seen: at, stopped_at: null }, $setOnInsert: { registered_at: at } },
        { upsert: true, returnDocument: 'after', lean: true },
      ).exec();
      return toDevice(doc as DeviceDoc, null); // a new session has not beaten yet
    },

    /**
     * Refreshes last_seen for this runner's session only. False when another runner has
     * since registered the same device id: the caller is no longer the device's runner.
     */
    async heartbeat(id: string, session: string): Promise<boolean> {
      return beat(id, session, { last_seen: new Date(now()), stopped_at: null });
    },

    /** A runner stopping cleanly: the device is offline from now, not after missed heartbeats. */
    async markStopped(id: string, session: string): Promise<void> {
      await beat(id, session, { stopped_at: new Date(now()) });
    },

    async get(id: string): Promise<Device | null> {
      const doc = await Devices.findById(id).lean<DeviceDoc>().exec();
      return doc ? toDevice(doc, await beatOf(doc)) : null;
    },

    /** Every registered device's id, and nothing else (the metrics read each one's tool-call queue). */
    async ids(): Promise<string[]> {
      return (await Devices.find({}, { _id: 1 }).lean<Pick<DeviceDoc, '_id'>[]>().exec()).map((d) => d._id);
    },

    async list(filter: { tag?: string } = {}): Promise<Device[]> {
      const query = filter.tag ? { tags: filter.tag } : {};
      const docs = await Devices.find(query).sort({ _id: 1 }).lean<DeviceDoc[]>().exec();
      return Promise.all(docs.map(async (doc) => toDevice(doc, await beatOf(doc))));
    },
  };
}
