import type { Connection } from 'mongoose';
import { computeProgress, isTerminal, RUN_STATUSES, type AuditEntry, type Progress, type RunStep, type PendingWait, type Run, type RunStatus } from '../engine/index.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { actorOf, auditFromDoc, auditToDocs, fromRunDoc, mutableFields, toRunDoc } from './run-codec.js';
import { runEventModel, type RunEventDoc } from './run-event-model.js';
import { runModel, type RunDoc } from './run-model.js';

export interface StoredRun {
  run: Run;
  rev: number;
  /** Audit entries written with the latest transition, maybe not yet copied to run_events. */
  outbox: AuditEntry[];
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
  wait: PendingWait;
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

/** Persistence for runs: every write after the insert is conditional on the rev it read. */
export function createRunStore(conn: Connection) {
  const Runs = runModel(conn);
  const Events = runEventModel(conn);

  return {
    async insert(run: Run, entries: AuditEntry[]): Promise<StoredRun> {
      await Runs.collection.insertOne({ ...toRunDoc(run, 1), audit_outbox: auditToDocs(entries) } as never);
      return { run, rev: 1, outbox: entries };
    },

    async load(id: string): Promise<StoredRun> {
      const doc = await Runs.findById(id).lean<RunDoc>().exec();
      if (!doc) throw new AppError(ErrorCode.NotFound, `run ${id} not found`);
      return { ...fromRunDoc(doc), outbox: (doc.audit_outbox ?? []).map(auditFromDoc) };
    },

    /**
     * Writes `run` only if nobody else wrote since `expectedRev`, together with the audit
     * entries of this transition, so a transition and its record land in one update.
     */
    async saveIfRev(run: Run, expectedRev: number, entries: AuditEntry[]): Promise<StoredRun | null> {
      const result = await Runs.collection.updateOne(
        { _id: run.id as never, rev: expectedRev },
        { $set: { ...mutableFields(run), rev: expectedRev + 1, audit_outbox: auditToDocs(entries) } },
      );
      return result.matchedCount === 1 ? { run, rev: expectedRev + 1, outbox: entries } : null;
    },

    /** Copies audit entries to run_events; an entry already there is left as it is. */
    async copyEvents(runId: string, entries: AuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const docs = auditToDocs(entries).map((e) => ({ ...e, _id: `${runId}-${e.seq as number}`, run_id: runId }));
      try {
        await Events.collection.insertMany(docs as never[], { ordered: false });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },

    async keyApplied(runId: string, key: string): Promise<boolean> {
      return (await Events.exists({ run_id: runId, key })) !== null;
    },

    /** The run's whole trail in order, including entries still in the outbox. */
    async audit(runId: string): Promise<AuditEntry[]> {
      const [docs, stored] = await Promise.all([
        Events.find({ run_id: runId }).sort({ seq: 1 }).lean<RunEventDoc[]>().exec(),
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
      const items = docs.slice(0, filter.limit).map(toSummary);
      const last = items.at(-1);
      return { items, next_cursor: docs.length > filter.limit && last ? encodeRunCursor(last) : null };
    },

    /** How many runs of a runbook are not finished (delete refuses while there are any). */
    async countActive(runbookId: string): Promise<number> {
      return Runs.countDocuments({ runbook_id: runbookId, status: { $in: ACTIVE_STATUSES } }).exec();
    },

    /** Deletes a runbook's runs and their audit trails; returns how many runs went. */
    async deleteForRunbook(runbookId: string): Promise<number> {
      const ids = (await Runs.find({ runbook_id: runbookId }, { _id: 1 }).lean<Pick<RunDoc, '_id'>[]>().exec()).map((d) => d._id);
      if (ids.length === 0) return 0;
      await Events.deleteMany({ run_id: { $in: ids } }).exec();
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
      return docs.map(toSummary);
    },

    /**
     * Running runs without a wait, oldest change first: among them, those waiting for a
     * tool's result (the caller asks the engine which).
     */
    async runningWithoutWait(limit = 1000): Promise<Run[]> {
      const docs = await Runs.find({ status: 'running', wait: null }).sort({ updated_at: 1 }).limit(limit).lean<RunDoc[]>().exec();
      return docs.map((d) => fromRunDoc(d).run);
    },

    /** Runs holding a wait (paused ones too: they keep their due time), soonest first. */
    async pendingWaits(limit = 1000): Promise<DueWait[]> {
      const docs = await Runs.find({ 'wait.due_at': { $ne: null } }, { status: 1, wait: 1 })
        .sort({ 'wait.due_at': 1 })
        .limit(limit)
        .lean<Pick<RunDoc, '_id' | 'status' | 'wait'>[]>()
        .exec();
      return docs.flatMap((d) =>
        d.wait
          ? [{ run_id: d._id, status: d.status as RunStatus, wait: { kind: d.wait.kind as PendingWait['kind'], step_id: d.wait.step_id, visit: d.wait.visit, due_at: d.wait.due_at.getTime() } }]
          : [],
      );
    },
  };
}
