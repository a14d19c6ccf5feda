// The notifications log (alert-notification-model.ts): one insert per notification received,
// read to count an alert's notifications, to say when it was last seen, and to list the most
// recently seen alerts.
import type { Connection, Types } from 'mongoose';

import type { AlertStatus } from '../alerts/alert.js';
import { alertNotificationModel } from './alert-notification-model.js';

/** Notifications read per page while looking for the most recently seen alerts. */
const PAGE = 500;

type Row = { _id: Types.ObjectId; fingerprint: string; at: Date };

export function createAlertNotifications(conn: Connection) {
  const Notifications = alertNotificationModel(conn);

  return {
    async record(fingerprint: string, status: AlertStatus, at: Date): Promise<void> {
      await Notifications.collection.insertOne({ fingerprint, status, at } as never);
    },

    /** How many notifications of the alert were received, and the latest's time (null: none logged). */
    async seen(fingerprint: string): Promise<{ count: number; last: Date | null }> {
      const rows = await Notifications.collection.find({ fingerprint } as never, { projection: { at: 1 } }).toArray();
      let last: Date | null = null;
      for (const { at } of rows as unknown as Row[]) if (last === null || at > last) last = at;
      return { count: rows.length, last };
    },

    /** Up to `limit` alerts with their latest notification's time, the most recent first. */
    async latest(limit: number): Promise<Map<string, Date>> {
      const found = new Map<string, Date>();
      let after: Row | undefined;
      while (found.size < limit) {
        // Paged by (at, _id) descending: an alert that notifies often fills pages with repeats.
        const filter = after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after._id } }] } : {};
        const page = (await Notifications.collection
          .find(filter as never, { projection: { fingerprint: 1, at: 1 } })
          .sort({ at: -1, _id: -1 })
          .limit(PAGE)
          .toArray()) as unknown as Row[];
        for (const row of page) if (!found.has(row.fingerprint) && found.size < limit) found.set(row.fingerprint, row.at);
        if (page.length < PAGE) break;
        after = page.at(-1);
      }
      return found;
    },
  };
}
