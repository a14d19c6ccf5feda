// A PostgreSQL left running on the cluster by an owner that died (kill -9, a crash): the
// FerretDB helper normally stops it when its parent goes, but if the helper died too the
// postmaster keeps the cluster locked and its port open. The caller owns the data folder
// (server.json), so any postmaster on the cluster is such an orphan.
import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { AppError, ErrorCode } from '../errors.js';
import { isAlive, waitForPidExit } from './processes.js';

const FAST_SHUTDOWN_MS = 10_000;
const KILL_MS = 5_000;

/** The postmaster pid postmaster.pid names (its first line), if the file exists. */
async function postmasterPid(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Math.abs(Number.parseInt(text?.split('\n')[0] ?? '', 10));
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether `pid` is a PostgreSQL process working in `clusterDir` (the postmaster chdirs there). */
async function servesCluster(pid: number, clusterDir: string): Promise<boolean> {
  try {
    return (await readlink(`/proc/${pid}/cwd`)) === (await realpath(clusterDir));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // No /proc (not Linux): PostgreSQL's own check, a live pid, is all there is.
    if (code === 'ENOENT' && !(await readlink('/proc/self/cwd').catch(() => undefined))) return true;
    // Not ours to inspect (another user's process): go by its name.
    if (code === 'EACCES' || code === 'EPERM') return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'postgres';
    return false;
  }
}

/**
 * Stops an orphaned postmaster on `clusterDir` (fast shutdown, then SIGKILL), and removes a
 * postmaster.pid whose pid now belongs to an unrelated process (PostgreSQL would refuse to
 * start). A postmaster.pid naming a dead pid is left: PostgreSQL replaces it itself.
 */
export async function stopStalePostmaster(clusterDir: string, log?: (line: string) => void): Promise<void> {
  const pid = await postmasterPid(clusterDir);
  if (pid === undefined || !isAlive(pid)) return;
  if (!(await servesCluster(pid, clusterDir))) {
    await rm(join(clusterDir, 'postmaster.pid'), { force: true });
    return;
  }
  log?.(`stopping PostgreSQL ${pid}, left running on ${clusterDir} by a process that has died`);
  for (const [signal, ms] of [['SIGINT', FAST_SHUTDOWN_MS], ['SIGKILL', KILL_MS]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // gone already
    }
    if (await waitForPidExit(pid, ms)) return;
  }
  throw new AppError(ErrorCode.Internal, `PostgreSQL ${pid}, left running on ${clusterDir} by a process that has died, did not stop on SIGINT nor SIGKILL`);
}
