// What this device has started and finished, kept on its own disk (the runner config's
// state_dir): one file per call, created exclusively when the call starts and replaced whole
// when it finishes. It is what keeps an act from running twice when its runner restarts or
// the queue delivers the call again, and it needs nothing from the bot's database. Exclusive
// create makes "started" hold across runner processes of one device too.
import { createHash, randomUUID } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { JsonObject, JsonValue } from '../engine/types.js';

export interface CallStart {
  id: string;
  run_id: string;
  step_id: string;
  visit: number;
  try: number;
  step_type: string;
  device_id: string;
  tool: string;
  input: JsonObject;
}

export interface CallRecord extends CallStart {
  status: 'running' | 'succeeded' | 'failed';
  output: JsonValue;
  error: string | null;
  /** How many deliveries of the call this device saw. */
  deliveries: number;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

/** `new`: run it. `started`: an earlier delivery began it and never finished. `finished`: send its result again. */
export type BeginOutcome = { kind: 'new' | 'started' | 'finished'; record: CallRecord };

export type CallJournal = ReturnType<typeof createCallJournal>;

/** Call ids are `call-RUN-STEP-VISIT-TRY`; anything else is named by its hash, never used as a path as is. */
const fileName = (id: string) => `${/^[A-Za-z0-9_-]{1,200}$/.test(id) ? id : createHash('sha256').update(id).digest('hex')}.json`;

/** Written and flushed to disk before it counts: a power cut must not forget that an act began. */
async function writeDurably(path: string, text: string, flag: 'wx' | 'w'): Promise<void> {
  const file = await open(path, flag);
  try {
    await file.writeFile(text, 'utf8');
    await file.datasync();
  } finally {
    await file.close();
  }
}

export function createCallJournal(dir: string, now: () => number = Date.now) {
  const pathOf = (id: string) => join(dir, fileName(id));

  async function read(id: string): Promise<CallRecord | null> {
    try {
      return JSON.parse(await readFile(pathOf(id), 'utf8')) as CallRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // Cut short by a crash while it was being created: the call did start.
      if (error instanceof SyntaxError) return null;
      throw error;
    }
  }

  async function replace(record: CallRecord): Promise<void> {
    const path = pathOf(record.id);
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeDurably(temp, JSON.stringify(record), 'w');
    await rename(temp, path);
  }

  return {
    dir,

    /** Records that this device takes the call on; says whether it was taken on before. */
    async begin(call: CallStart): Promise<BeginOutcome> {
      const record: CallRecord = { ...call, status: 'running', output: null, error: null, deliveries: 1, started_at: now(), finished_at: null, duration_ms: null };
      try {
        await writeDurably(pathOf(call.id), JSON.stringify(record), 'wx');
        return { kind: 'new', record };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const earlier = (await read(call.id)) ?? { ...record, started_at: now() };
      if (earlier.status !== 'running') return { kind: 'finished', record: earlier };
      const again = { ...earlier, deliveries: earlier.deliveries + 1 };
      await replace(again);
      return { kind: 'started', record: again };
    },

    async finish(id: string, startedAt: number, result: { ok: boolean; output: JsonValue; error: string | null }): Promise<CallRecord> {
      const earlier = await read(id);
      if (!earlier) throw new Error(`call ${id} was never begun on this device`);
      const at = now();
      const record: CallRecord = { ...earlier, status: result.ok ? 'succeeded' : 'failed', output: result.output, error: result.error, finished_at: at, duration_ms: at - startedAt };
      await replace(record);
      return record;
    },

    get: read,

    /** Every call kept, the most recently started first. */
    async all(): Promise<CallRecord[]> {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
      const records = await Promise.all(names.map(async (n) => read(n.slice(0, -'.json'.length))));
      return records.filter((r): r is CallRecord => r !== null).sort((a, b) => b.started_at - a.started_at);
    },

    /** Forgets calls begun more than `olderThanMs` ago: their runs have long moved on. */
    async prune(olderThanMs: number): Promise<number> {
      let removed = 0;
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => null);
        if (info && now() - info.mtimeMs > olderThanMs) {
          await rm(path, { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}
