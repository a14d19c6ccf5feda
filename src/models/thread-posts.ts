// The right to post one of a run's thread replies. Attempt 1 goes to whichever process inserts
// it first; a later attempt only once the last one failed or is older than the lease, its
// poster taken to be gone (killed mid-post). A poster slower than the lease is the one way to
// get a reply twice, so replies are posted with a client whose retries end well within it.
import type { Connection } from 'mongoose';

import { insertOnce } from './insert-once.js';
import { readSeries } from './read-series.js';
import { threadPostModel, type ThreadPostDoc } from './thread-post-model.js';

/** How long a claimed reply is left to its poster before another process may post it. */
export const THREAD_POST_LEASE_MS = 60_000;

/**
 * `takeover`: the attempt before this one neither posted nor failed within the lease: its
 * poster died, perhaps after Slack took the reply, so look in the thread before posting.
 */
export type ThreadPostClaim = { attempt: ThreadPostDoc; takeover: boolean } | { posted: true } | { busy: true };

const attemptId = (runId: string, key: string, n: number) => `${runId}#${key}#${n}`;

export function createThreadPosts(conn: Connection, now: () => number = Date.now, leaseMs = THREAD_POST_LEASE_MS) {
  const Posts = threadPostModel(conn);
  const find = async (id: string) => (await Posts.collection.findOne({ _id: id as never })) as ThreadPostDoc | null;

  async function insert(runId: string, key: string, n: number): Promise<ThreadPostDoc | null> {
    const doc: ThreadPostDoc = { _id: attemptId(runId, key, n), run_id: runId, key, n, at: new Date(now()), posted_at: null, failed_at: null };
    return (await insertOnce(Posts.collection, doc)) ? doc : null;
  }

  return {
    /** Attempt 1 when nobody has tried; otherwise decided from the attempts as read. */
    async claim(runId: string, key: string): Promise<ThreadPostClaim> {
      const first = await insert(runId, key, 1);
      if (first) return { attempt: first, takeover: false };
      const attempts = await readSeries(find, (n) => attemptId(runId, key, n));
      if (attempts.some((a) => a.posted_at !== null)) return { posted: true };
      const last = attempts.at(-1);
      if (last && last.failed_at === null && now() - last.at.getTime() < leaseMs) return { busy: true };
      const next = await insert(runId, key, (last?.n ?? 0) + 1);
      return next ? { attempt: next, takeover: last !== undefined && last.failed_at === null } : { busy: true };
    },

    /** The attempt's reply is in Slack (its poster only: a plain update is enough). */
    async posted(attempt: ThreadPostDoc): Promise<void> {
      await Posts.collection.updateOne({ _id: attempt._id as never }, { $set: { posted_at: new Date(now()) } });
    },

    /** The attempt's post failed: the next render may try again at once. */
    async failed(attempt: ThreadPostDoc): Promise<void> {
      await Posts.collection.updateOne({ _id: attempt._id as never }, { $set: { failed_at: new Date(now()) } });
    },
  };
}

export type ThreadPosts = ReturnType<typeof createThreadPosts>;
