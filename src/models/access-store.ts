// Whether roles are enforced (access-model.ts) and the refusals the access check records.
import type { Connection } from 'mongoose';

import type { Actor } from '../engine/types.js';
import { ACCESS_STATE_ID, accessStateModel, refusalModel, type RefusalDoc } from './access-model.js';
import { insertOnce } from './insert-once.js';
import { storedActor, type StoredActor } from './runbook-subschemas.js';

/** A refused command as recorded. */
export type Refusal = Omit<RefusalDoc, '_id'>;

export type AccessStore = ReturnType<typeof createAccessStore>;

export function createAccessStore(conn: Connection, now: () => number = Date.now) {
  const State = accessStateModel(conn);
  const Refusals = refusalModel(conn);

  return {
    /** Since when, and by whom, roles are enforced; null while everyone is an operator. */
    async enforcedSince(): Promise<{ at: Date; by: StoredActor } | null> {
      const doc = await State.findById(ACCESS_STATE_ID).lean().exec();
      return doc ? { at: doc.enforced_at, by: doc.enforced_by } : null;
    },

    /** Switches enforcement on (once; later calls keep the first). */
    async enforce(by: Actor): Promise<void> {
      // Whoever inserts first switched roles on; a second admin grant at once finds it done.
      await insertOnce(State.collection, { _id: ACCESS_STATE_ID, enforced_at: new Date(now()), enforced_by: storedActor(by) });
    },

    async recordRefusal(refusal: Omit<Refusal, 'at' | 'actor'> & { actor: Actor }): Promise<void> {
      await Refusals.create({ ...refusal, actor: storedActor(refusal.actor), at: new Date(now()) });
    },

    /** The most recent refusals first. */
    async refusals(limit: number): Promise<Refusal[]> {
      const docs = await Refusals.find().sort({ at: -1, _id: -1 }).limit(limit).lean<RefusalDoc[]>().exec();
      return docs.map(({ _id, ...rest }) => rest);
    },
  };
}
