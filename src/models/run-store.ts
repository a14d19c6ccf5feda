import type { Connection } from 'mongoose';
import { computeProgress, isTerminal, RUN_STATUSES, type AuditEntry, type Progress, type RunbookSnapshot, type RunStep, type PendingTimer, type PendingWait, type Run, type RunStatus } from '../engine/index.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { mapInLanes } from '../lanes.js';
import { createLru } from '../lru.js';
import { actorOf, timerFromDoc, applyRunDocPatch, auditFromDoc, auditToDocs, fromRunDoc, mutableFields, runDocPatch, toRunDoc, type RunDocPatch } from './run-codec.js';
import { runEventModel, type RunEventDoc } from './run-event-model.js';
import { insertOnce } from './insert-once.js';
import { runKeyId, runKeyModel } from './run-key-model.js';
import { runModel, type RunDoc } from './run-model.js';
import { runbookVersionModel, versionDocId, type RunbookVersionDoc } from './runbook-version-model.js';

/** What commit() did: `committed` false means another writer moved the run from that state first. */
export interface CommitResult {
  committed: boolean;
  /**
   * The event is stored (the transition holds) but updating the run document failed; the
   * document catches up on the next read or write.
   */
  documentError?: unknown;
}

export interface RunListFilter {
  status?: RunStatus[];
  runbookId?: string;
  startedBy?: string;
  deviceId?: string;
  limit?: number;
}

export interface RunPageFilter {
  status?: RunStatus[];
  runbookId?: string;
  deviceId?: string;
  /** Only runs on a device (reference 001's executions). */
  onDevice?: boolean;
  /** Runs created at or after this time (ms). */
  startedAfter?: number;
  /** 1..100. */
  limit: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

export interface RunPage {
  items: RunSummary[];
  next_cursor: string | null;
}

export interface RunSummary {
  id: string;
  runbook_id: string;
  runbook_name: string;
  runbook_version: number;
  status: RunStatus;
  started_by: Run['started_by'];
  current_step_id: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  progress: Progress;
}

export interface DueWait {
  run_id: string;
  status: RunStatus;
  /** A wait, or a deadline of the current step (both are timers in the wait queue). */
  wait: PendingWait | PendingTimer;
}

export type RunStore = ReturnType<typeof createRunStore>;

const ACTIVE_STATUSES: RunStatus[] = RUN_STATUSES.filter((s) => !isTerminal(s));

const SUMMARY_FIELDS = {
  runbook_id: 1,
  runbook_name: 1,
  runbook_version: 1,
  status: 1,
  started_by: 1,
  current_step_id: 1,
  created_at: 1,
  updated_at: 1,
  completed_at: 1,
  audit_seq: 1,
  'steps.status': 1,
} as const;

function toSummary(d: RunDoc): RunSummary {
  return {
    id: d._id,
    runbook_id: d.runbook_id,
    runbook_name: d.runbook_name,
    runbook_version: d.runbook_version,
    status: d.status as RunStatus,
    started_by: actorOf(d.started_by),
    current_step_id: d.current_step_id ?? null,
    created_at: d.created_at.getTime(),
    updated_at: d.updated_at.getTime(),
    completed_at: d.completed_at ? d.completed_at.getTime() : null,
    progress: computeProgress({ steps: (d.steps ?? []) as { status: RunStep['status'] }[] as RunStep[] }),
  };
}

function encodeRunCursor(run: RunSummary): string {
  return Buffer.from(JSON.stringify([run.created_at, run.id])).toString('base64url');
}

function decodeRunCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') return value as [number, string];
  } catch {
    // fall through to the error below
  }
  throw new AppError(ErrorCode.Validation, `cursor: not a cursor this API gave out ("${cursor.slice(0, 40)}")`);
}

const eventId = (runId: string, seq: number) => `${runId}-${seq}`;

/** Reads of lagging run documents' events in flight at once, per list or reconcile pass. */
const FORWARD_CONCURRENCY = 16;

// A version's snapshot is immutable and shared by every run of it: read and parse it once.
const SNAPSHOT_CACHE_LIMIT = 200;

/**
 * The run document is written on every SNAPSHOT_EVERY-th event, and on every event that
 * changes a field the store's queries select on (status, the pending wait, whether a tool
 * call is out): lists, counts and the reconcilers find runs by the document, and everything
 * else read from it is brought forward through the events it lags by. An event insert is the cheapest write
 * these servers make (about half an update on FerretDB), so most commits are that one write.
 */
export const SNAPSHOT_EVERY = 8;
const QUERIED_FIELDS = ['status', 'wait', 'timers', 'tool_call_out'] as const;

// Runs started together would otherwise all write their documents on the same command.
const snapshotPhase = (runId: string): number => {
  let sum = 0;
  for (let i = 0; i < runId.length; i += 1) sum += runId.charCodeAt(i);
  return sum % SNAPSHOT_EVERY;
};

export function snapshotDue(runId: string, patch: RunDocPatch, seq: number): boolean {
  return (seq + snapshotPhase(runId)) % SNAPSHOT_EVERY === 0 || QUERIED_FIELDS.some((field) => field in patch.set);
}

/**
 * Persistence for runs. The run's audit events are its source of truth and the run document
 * a snapshot of them: a transition inserts its event first, keyed by run and seq, and that
 * insert is the claim (the store's unique `_id` makes it atomic on every MongoDB-compatible
 * server, where a filtered update is not: FerretDB v1 reads, then writes). The run document
 * follows when a snapshot is due (above); a read brings it forward through later events.
 * Each document write sets every mutable field of one state, so the document always holds
 * one whole past state, whichever write lands last.
 */
export function createRunStore(conn: Connection) {
  const Runs = runModel(conn);
  const Events = runEventModel(conn);
  const Versions = runbookVersionModel(conn);
  const Keys = runKeyModel(conn);
  const snapshots = createLru<RunbookSnapshot>(SNAPSHOT_CACHE_LIMIT);

  async function snapshotOf(doc: Pick<RunDoc, 'runbook_id' | 'runbook_name' | 'runbook_version' | 'runbook_json'>): Promise<RunbookSnapshot> {
    const key = `${doc.runbook_id}@${doc.runbook_version}`;
    const cached = snapshots.get(key);
    if (cached) return cached;
    let snapshot: RunbookSnapshot;
    if (doc.runbook_json !== undefined) {
      snapshot = JSON.parse(doc.runbook_json) as RunbookSnapshot;
    } else {
      const version = await Versions.findById(versionDocId(doc.runbook_id, doc.runbook_version), { compiled_json: 1 })
        .lean<Pick<RunbookVersionDoc, 'compiled_json'>>()
        .exec();
      if (!version) {
        throw new AppError(ErrorCode.Internal, `runbook "${doc.runbook_name}" v${doc.runbook_version}, which a run is pinned to, is missing from runbook_versions`);
      }
      snapshot = { ...(JSON.parse(version.compiled_json) as Omit<RunbookSnapshot, 'runbook_id' | 'version'>), runbook_id: doc.runbook_id, version: doc.runbook_version };
    }
    snapshots.set(key, snapshot);
    return snapshot;
  }

  const toRun = async (doc: RunDoc): Promise<Run> => fromRunDoc(doc, await snapshotOf(doc));

  const eventDoc = (runId: string, entry: AuditEntry, patch?: RunDocPatch) => ({
    ...auditToDocs([entry])[0],
    _id: eventId(runId, entry.seq),
    run_id: runId,
    ...(patch ? { patch } : {}),
  });

  /** Stores audit entries that carry no claim (a start's, an old run's outbox); one already there stays as it is. */
  async function copyEvents(runId: string, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await Events.collection.insertMany(entries.map((e) => eventDoc(runId, e)) as never[], { ordered: false });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async function recordKeys(runId: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await Keys.collection.insertMany(keys.map((key) => ({ _id: runKeyId(runId, key), run_id: runId })) as never[], { ordered: false });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Runs stored before events were written first (they carry a `rev`) may hold entries not
   * yet in run_events, and keep keys past their window only in run_events: move both once.
   */
  async function migrateLegacy(doc: RunDoc): Promise<void> {
    const entries = (doc.audit_outbox ?? []).map(auditFromDoc);
    await copyEvents(doc._id, entries);
    if (doc.keys_evicted) {
      const keyed = await Events.find({ run_id: doc._id, key: { $ne: null } }, { key: 1 }).lean<{ key: string }[]>().exec();
      await recordKeys(doc._id, [...new Set([...keyed.map((e) => e.key), ...entries.flatMap((e) => (e.key ? [e.key] : []))])]);
    }
    await Runs.collection.updateOne({ _id: doc._id as never }, { $unset: { audit_outbox: '', rev: '' } });
  }

  /** A stored run (or the fields of it a query projected) moved through the events it has not taken in yet. */
  async function bringForward<T extends Pick<RunDoc, '_id' | 'audit_seq'>>(stored: T): Promise<{ doc: T; missedSnapshot: boolean }> {
    let doc = stored;
    let missedSnapshot = false;
    for (;;) {
      const seq = doc.audit_seq + 1;
      const next = await Events.findById(eventId(doc._id, seq), { patch: 1 }).lean<{ patch?: RunDocPatch }>().exec();
      if (!next?.patch) return { doc, missedSnapshot };
      missedSnapshot ||= snapshotDue(doc._id, next.patch, seq);
      doc = applyRunDocPatch(doc as unknown as RunDoc, next.patch) as unknown as T;
    }
  }

  /** The run document brought forward through any events it has not taken in yet. */
  async function readDoc(id: string): Promise<RunDoc> {
    const stored = await Runs.findById(id).lean<RunDoc>().exec();
    if (!stored) throw new AppError(ErrorCode.NotFound, `run ${id} not found`);
    if (stored.rev !== undefined) await migrateLegacy(stored);
    const { doc, missedSnapshot } = await bringForward(stored);
    if (missedSnapshot) {
      // A snapshot write failed or was overtaken: catch the document up for the queries.
      // Losing this write is harmless: the next read applies the same events again.
      const { _id, audit_outbox: _outbox, rev: _rev, ...fields } = doc;
      await writeSnapshot(_id, fields).catch(() => undefined);
    }
    return doc;
  }

  /**
   * Documents brought forward a few at a time: a reconcile pass over a thousand runs must not
   * put a thousand reads in flight at once (each holds its query and buffers until answered).
   */
  async function forwardAll<T extends Pick<RunDoc, '_id' | 'audit_seq'>>(docs: T[]): Promise<T[]> {
    return mapInLanes(docs, FORWARD_CONCURRENCY, async (doc) => (await bringForward(doc)).doc);
  }

  /** Every run document `filter` finds, in _id order, `page` at a time (no cap, and no one read of them all). */
  async function everyPage<T extends { _id: string }>(filter: Record<string, unknown>, projection: Record<string, 1> | null, page: number): Promise<T[]> {
    const all: T[] = [];
    for (let last: string | null = null; ; ) {
      const docs: T[] = await Runs.find(last === null ? filter : { ...filter, _id: { $gt: last } }, projection)
        .sort({ _id: 1 })
        .limit(page)
        .lean<T[]>()
        .exec();
      all.push(...docs);
      if (docs.length < page) return all;
      last = docs.at(-1)!._id;
    }
  }

  /** Summaries show where runs are now, not where their documents were last written. */
  const summaries = async (docs: RunDoc[]): Promise<RunSummary[]> => (await forwardAll(docs)).map(toSummary);

  function writeSnapshot(id: string, fields: Partial<RunDoc>) {
    return Runs.collection.updateOne({ _id: id as never, audit_seq: { $lt: fields.audit_seq } }, { $set: fields });
  }

  return {
    /** Stores a new run and its first audit entries; a second insert of the same id is a duplicate-key error. */
    async insert(run: Run, entries: AuditEntry[]): Promise<void> {
      snapshots.set(`${run.runbook.runbook_id}@${run.runbook.version}`, run.runbook);
      // Already there when the same id started before (an idempotent start): its run document decides below.
      await copyEvents(run.id, entries);
      await Runs.collection.insertOne(toRunDoc(run) as never);
    },

    async load(id: string): Promise<Run> {
      return toRun(await readDoc(id));
    },

    /** The device a run's tools act on (fixed at start, so one field read, no replay); undefined when there is no such run. */
    async deviceOf(id: string): Promise<string | null | undefined> {
      const doc = await Runs.findById(id, { device_id: 1 }).lean<{ device_id: string | null }>().exec();
      return doc === null ? undefined : doc.device_id;
    },

    /**
     * Moves the run from `before` to `after` unless another writer moved it from `before`
     * first. `entry` is the transition's audit entry; its seq is `before.audit_seq + 1`.
     */
    async commit(before: Run, after: Run, entry: AuditEntry): Promise<CommitResult> {
      const patch = runDocPatch(before, after);
      // Keys leaving the window were applied earlier, whoever wins this commit.
      await recordKeys(after.id, before.applied_keys.filter((key) => !after.applied_keys.includes(key)));
      if (!(await insertOnce(Events.collection, eventDoc(after.id, entry, patch)))) return { committed: false };
      if (!snapshotDue(after.id, patch, entry.seq)) return { committed: true };
      try {
        await writeSnapshot(after.id, mutableFields(after));
        return { committed: true };
      } catch (error) {
        return { committed: true, documentError: error };
      }
    },

    /** Whether a key that has left the run's window was applied (the window is on the run). */
    async keyApplied(runId: string, key: string): Promise<boolean> {
      return (await Keys.exists({ _id: runKeyId(runId, key) })) !== null;
    },

    /** The run's whole trail in order. */
    async audit(runId: string): Promise<AuditEntry[]> {
      const [docs, stored] = await Promise.all([
        Events.find({ run_id: runId }, { patch: 0 }).sort({ seq: 1 }).lean<RunEventDoc[]>().exec(),
        Runs.findById(runId, { audit_outbox: 1 }).lean<Pick<RunDoc, 'audit_outbox'>>().exec(),
      ]);
      const bySeq = new Map<number, AuditEntry>();
      for (const doc of [...docs, ...(stored?.audit_outbox ?? [])]) {
        const entry = auditFromDoc(doc as Record<string, unknown>);
        bySeq.set(entry.seq, entry);
      }
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    },

    /**
     * Newest first, a page at a time. The cursor is the last item's (created_at, _id), so a
     * page stays stable while runs are added before it.
     */
    async page(filter: RunPageFilter): Promise<RunPage> {
      const and: Record<string, unknown>[] = [];
      if (filter.status?.length) and.push({ status: { $in: filter.status } });
      if (filter.runbookId) and.push({ runbook_id: filter.runbookId });
      if (filter.deviceId) and.push({ device_id: filter.deviceId });
      else if (filter.onDevice) and.push({ device_id: { $ne: null } });
      if (filter.startedAfter !== undefined) and.push({ created_at: { $gte: new Date(filter.startedAfter) } });
      if (filter.cursor !== undefined) {
        const [at, id] = decodeRunCursor(filter.cursor);
        and.push({ $or: [{ created_at: { $lt: new Date(at) } }, { created_at: new Date(at), _id: { $lt: id } }] });
      }
      const docs = await Runs.find(and.length > 0 ? { $and: and } : {}, SUMMARY_FIELDS)
        .sort({ created_at: -1, _id: -1 })
        .limit(filter.limit + 1)
        .lean<RunDoc[]>()
        .exec();
      const items = await summaries(docs.slice(0, filter.limit));
      const last = items.at(-1);
      return { items, next_cursor: docs.length > filter.limit && last ? encodeRunCursor(last) : null };
    },

    /** How many runs of a runbook are not finished (delete refuses while there are any). */
    async countActive(runbookId: string): Promise<number> {
      return Runs.countDocuments({ runbook_id: runbookId, status: { $in: ACTIVE_STATUSES } }).exec();
    },

    /**
     * How many runs are in each status, for the metrics: one pass over the run documents
     * (a status change always writes the document, so it is current for this).
     */
    async countByStatus(): Promise<Partial<Record<RunStatus, number>>> {
      const groups = await Runs.aggregate<{ _id: RunStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]).exec();
      return Object.fromEntries(groups.map((g) => [g._id, g.n]));
    },

    /** Deletes a runbook's runs and their audit trails; returns how many runs went. */
    async deleteForRunbook(runbookId: string): Promise<number> {
      const ids = (await Runs.find({ runbook_id: runbookId }, { _id: 1 }).lean<Pick<RunDoc, '_id'>[]>().exec()).map((d) => d._id);
      if (ids.length === 0) return 0;
      await Events.deleteMany({ run_id: { $in: ids } }).exec();
      await Keys.deleteMany({ run_id: { $in: ids } }).exec();
      return (await Runs.deleteMany({ _id: { $in: ids } }).exec()).deletedCount;
    },

    async list(filter: RunListFilter = {}): Promise<RunSummary[]> {
      const query: Record<string, unknown> = {};
      if (filter.status?.length) query.status = { $in: filter.status };
      if (filter.runbookId) query.runbook_id = filter.runbookId;
      if (filter.startedBy) query['started_by.id'] = filter.startedBy;
      if (filter.deviceId) query.device_id = filter.deviceId;
      const limit = Math.min(Math.max(filter.limit ?? 20, 1), 100);
      const docs = await Runs.find(query, SUMMARY_FIELDS)
        .sort(filter.status?.length ? { status: 1, updated_at: -1 } : { created_at: -1 })
        .limit(limit)
        .lean<RunDoc[]>()
        .exec();
      return summaries(docs);
    },

    /**
     * Running runs without a wait whose document says a tool call is out (or predates saying
     * so), oldest change first: the caller asks the engine which call each waits for.
     */
    /** Every run waiting on a tool call, read `page` at a time (a reconcile pass after Redis lost them all). */
    async toolCallsOut(page = 500): Promise<Run[]> {
      const docs = await everyPage<RunDoc>({ status: 'running', wait: null, tool_call_out: { $ne: false } }, null, page);
      return Promise.all((await forwardAll(docs)).map(toRun));
    },

    /** Every run holding a wait or a step deadline (paused ones too: they keep their due times), read `page` at a time. */
    async pendingWaits(page = 2_000): Promise<DueWait[]> {
      const docs = await everyPage<Pick<RunDoc, '_id' | 'status' | 'wait' | 'timers'>>(
        { $or: [{ 'wait.due_at': { $ne: null } }, { 'timers.due_at': { $ne: null } }] },
        { status: 1, wait: 1, timers: 1 },
        page,
      );
      return docs.flatMap((d) => {
        const status = d.status as RunStatus;
        const due = [
          ...(d.wait ? [{ kind: d.wait.kind as PendingWait['kind'], step_id: d.wait.step_id, visit: d.wait.visit, due_at: d.wait.due_at.getTime() }] : []),
          ...(d.timers ?? []).map(timerFromDoc),
        ];
        return due.map((wait) => ({ run_id: d._id, status, wait }));
      });
    },
  };
}
