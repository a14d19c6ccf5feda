// One embedded FerretDB per data folder. The bot and the CLI both open the embedded
// database when MONGODB_URI is unset; two servers on one SQLite folder would fight over
// its files, so the first one started records its URI here and later ones connect to it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

const ServerRecord = z.object({ uri: z.string().startsWith('mongodb://'), pid: z.number().int().positive() });
export type ServerRecord = z.infer<typeof ServerRecord>;

const recordPath = (dataDir: string) => join(dataDir, 'server.json');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server another live process started on `dataDir`, if any. */
export async function findSharedServer(dataDir: string): Promise<ServerRecord | null> {
  let raw: string;
  try {
    raw = await readFile(recordPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = ServerRecord.safeParse((() => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return null;
    }
  })());
  if (!parsed.success || !isAlive(parsed.data.pid)) return null;
  return parsed.data;
}

/** Records this process's server for others; the returned function removes the record. */
export async function recordSharedServer(dataDir: string, uri: string): Promise<() => Promise<void>> {
  await writeFile(recordPath(dataDir), `${JSON.stringify({ uri, pid: process.pid })}\n`, { mode: 0o600 });
  return async () => {
    const current = await readFile(recordPath(dataDir), 'utf8').catch(() => '');
    if (current.includes(`"pid":${process.pid}`)) await rm(recordPath(dataDir), { force: true });
  };
}
