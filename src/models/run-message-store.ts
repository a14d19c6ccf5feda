import type { Connection } from 'mongoose';

import { runMessageModel, type RunMessageDoc } from './run-message-model.js';
import { createThreadPosts } from './thread-posts.js';

export interface RunMessageLocation {
  run_id: string;
  channel: string;
  ts: string;
  thread_ts: string;
  reported: string[];
}

export type RunMessageStore = ReturnType<typeof createRunMessageStore>;

const toLocation = (doc: RunMessageDoc): RunMessageLocation => ({
  run_id: doc._id,
  channel: doc.channel,
  ts: doc.ts,
  thread_ts: doc.thread_ts,
  reported: doc.reported ?? [],
});

export function createRunMessageStore(conn: Connection, now: () => number = Date.now) {
  const Messages = runMessageModel(conn);
  return {
    /** Who posts each thread reply: the claim that keeps a reply single with several bot instances. */
    replies: createThreadPosts(conn, now),

    async get(runId: string): Promise<RunMessageLocation | null> {
      const doc = await Messages.findById(runId).lean<RunMessageDoc>().exec();
      return doc ? toLocation(doc) : null;
    },

    /**
     * Makes this message the run's live one (a later `/runbook resume` moves it). Steps
     * already reported stay reported: the thread moves, the history does not repeat.
     */
    async attach(runId: string, where: { channel: string; ts: string; thread_ts: string }): Promise<RunMessageLocation> {
      const at = new Date(now());
      const doc = await Messages.findOneAndUpdate(
        { _id: runId },
        { $set: { ...where, updated_at: at }, $setOnInsert: { created_at: at, reported: [] } },
        { upsert: true, returnDocument: 'after', lean: true },
      ).exec();
      return toLocation(doc as RunMessageDoc);
    },

    /**
     * Marks replies as posted to the thread: a shortcut for the next render. A plain update, so
     * two instances marking at once may lose one key on FerretDB; the reply's claim
     * (`replies`) still says it was posted.
     */
    async markReported(runId: string, keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await Messages.updateOne({ _id: runId }, { $addToSet: { reported: { $each: keys } }, $set: { updated_at: new Date(now()) } }).exec();
    },

    /** Every known location, for the runs given (App Home links). */
    async many(runIds: string[]): Promise<Map<string, RunMessageLocation>> {
      if (runIds.length === 0) return new Map();
      const docs = await Messages.find({ _id: { $in: runIds } }).lean<RunMessageDoc[]>().exec();
      return new Map(docs.map((d) => [d._id, toLocation(d)]));
    },
  };
}
