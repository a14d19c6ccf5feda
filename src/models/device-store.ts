import type { Connection } from 'mongoose';

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
  const now = opts.now ?? Date.now;
  const offlineAfterMs = MISSED_HEARTBEATS * (opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);

  const toDevice = (doc: DeviceDoc): Device => {
    const lastSeen = doc.last_seen.getTime();
    const online = doc.stopped_at === null && now() - lastSeen <= offlineAfterMs;
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
      stopped_at: doc.stopped_at?.getTime() ?? null,
    };
  };

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
      return toDevice(doc as DeviceDoc);
    },

    /**
     * Refreshes last_seen for this runner's session only. False when another runner has
     * since registered the same device id: the caller is no longer the device's runner.
     */
    async heartbeat(id: string, session: string): Promise<boolean> {
      const res = await Devices.updateOne({ _id: id, session }, { $set: { last_seen: new Date(now()), stopped_at: null } }).exec();
      return res.matchedCount === 1;
    },

    /** A runner stopping cleanly: the device is offline from now, not after missed heartbeats. */
    async markStopped(id: string, session: string): Promise<void> {
      await Devices.updateOne({ _id: id, session }, { $set: { stopped_at: new Date(now()) } }).exec();
    },

    async get(id: string): Promise<Device | null> {
      const doc = await Devices.findById(id).lean<DeviceDoc>().exec();
      return doc ? toDevice(doc) : null;
    },

    async list(filter: { tag?: string } = {}): Promise<Device[]> {
      const query = filter.tag ? { tags: filter.tag } : {};
      const docs = await Devices.find(query).sort({ _id: 1 }).lean<DeviceDoc[]>().exec();
      return docs.map(toDevice);
    },
  };
}
