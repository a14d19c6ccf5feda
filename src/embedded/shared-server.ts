// One embedded server per data folder. The bot, the CLI and runners all open the embedded
// database when MONGODB_URI is unset, and two PostgreSQL servers cannot share a cluster, so
// server.json says which process owns the folder: it is claimed (created exclusively)
// before anything starts, gains FerretDB's URI once it is up, loses it when the owner
// starts stopping, and is removed when everything has stopped. Later openers connect to
// the published URI instead of starting their own.
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { AppError, ErrorCode } from '../errors.js';
import { isAlive, processStartToken } from './processes.js';

const ServerRecord = z.object({
  pid: z.number().int().positive(),
  /** processStartToken(pid) when written, so a reused pid does not pass for the owner. */
  since: z.string().optional(),
  /** FerretDB's address; absent while the owner is starting or stopping. */
  uri: z.string().startsWith('mongodb://').optional(),
});
type ServerRecord = z.infer<typeof ServerRecord>;

export interface SharedServer {
  uri: string;
  pid: number;
}

/** Someone else's live process owns the folder; it may be starting, serving or stopping. */
export class DataFolderBusyError extends AppError {
  override name = 'DataFolderBusyError';

  constructor(
    readonly dataDir: string,
    readonly owner: number,
  ) {
    super(ErrorCode.Conflict, `the embedded database in ${dataDir} is held by process ${owner} (starting or stopping its server)`);
  }
}

export interface FolderClaim {
  /** Tells other openers where to connect. */
  publish(uri: string): Promise<void>;
  /** Stops sending new openers here, before the servers stop. */
  unpublish(): Promise<void>;
  /** Gives the folder up; call once everything started under the claim has stopped. */
  release(): Promise<void>;
}

const recordPath = (dataDir: string) => join(dataDir, 'server.json');
// Folders this process has claimed: a record naming our own pid that is not among them was
// left by an earlier process that had the same pid.
const claimedHere = new Set<string>();

async function readRecord(dataDir: string): Promise<{ raw: string; record: ServerRecord | null } | null> {
  let raw: string;
  try {
    raw = await readFile(recordPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    // A torn or hand-edited file: nobody can be relying on it.
  }
  const parsed = ServerRecord.safeParse(json);
  return { raw, record: parsed.success ? parsed.data : null };
}

function ownerAlive(dataDir: string, record: ServerRecord | null): record is ServerRecord {
  if (record === null) return false;
  if (record.pid === process.pid) return claimedHere.has(dataDir);
  return isAlive(record.pid, record.since);
}

/** The server another live process serves on `dataDir`, if any. */
export async function findSharedServer(dataDir: string): Promise<SharedServer | null> {
  const found = await readRecord(dataDir);
  if (!found || !ownerAlive(dataDir, found.record) || found.record.uri === undefined) return null;
  return { uri: found.record.uri, pid: found.record.pid };
}

/** Removes a dead owner's record, unless another opener replaced it meanwhile. */
async function removeStale(dataDir: string, staleRaw: string): Promise<void> {
  const path = recordPath(dataDir);
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else removed it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  // A fresh claim was made between our read and the rename: hand it back.
  if (moved !== staleRaw) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * Makes this process the owner of `dataDir` (created if missing). Throws DataFolderBusyError
 * when a live process owns it; a dead owner's record is taken over.
 */
export async function claimDataFolder(dataDir: string): Promise<FolderClaim> {
  await mkdir(dataDir, { recursive: true });
  const path = recordPath(dataDir);
  const since = processStartToken(process.pid);
  const mine = (uri?: string) => `${JSON.stringify({ pid: process.pid, ...(since === undefined ? {} : { since }), ...(uri === undefined ? {} : { uri }) })}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, mine(), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const found = await readRecord(dataDir);
    if (found && ownerAlive(dataDir, found.record)) throw new DataFolderBusyError(dataDir, found.record.pid);
    // Another opener keeps winning the race for a stale record: let the caller retry.
    if (attempt >= 3) throw new DataFolderBusyError(dataDir, found?.record?.pid ?? 0);
    if (found) await removeStale(dataDir, found.raw);
  }
  claimedHere.add(dataDir);

  let released = false;
  return {
    publish: (uri) => writeAtomically(path, mine(uri)),
    unpublish: () => writeAtomically(path, mine()),
    async release() {
      if (released) return;
      released = true;
      claimedHere.delete(dataDir);
      const current = await readRecord(dataDir);
      if (current?.record?.pid === process.pid) await rm(path, { force: true });
    },
  };
}
