// The embedded PostgreSQL under FerretDB: a cluster in the data folder, made with initdb on
// first use, served on a free 127.0.0.1 port (no Unix socket) with a password kept next
// to the cluster. Run as a child of this process, so its log and exit are ours to watch.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { AppError, ErrorCode } from '../errors.js';
import { postgresBinaries } from './postgres-binaries.js';
import { giveTo, letAccountReach, postgresAccount, type Account } from './postgres-user.js';
import { lineTail, onLines, stopper } from './processes.js';
import { stopStalePostmaster } from './stale-postmaster.js';

export interface EmbeddedPostgresOptions {
  /** The cluster (PGDATA), made when missing; its password is kept in `<clusterDir>.password`. */
  clusterDir: string;
  /** Port to try first; when it is taken, or unset, a free loopback port is used. */
  port?: number;
  /** Receives every line PostgreSQL logs. */
  log?: (line: string) => void;
  /** How long to wait for PostgreSQL to accept connections; default 30 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** Carries the password: pass it on, never log it (redactSecrets). */
  url: string;
  port: number;
  /** The postmaster's pid. */
  pid: number;
  stop(): Promise<void>;
}

const ROLE = 'ferretdb';
const DATABASE = 'ferretdb';
const READY = 'database system is ready to accept connections';
const PORT_IN_USE = /could not bind .*Address already in use/;
const PORT_ATTEMPTS = 5;
const STOP_GRACE_MS = 10_000;
const KILL_GRACE_MS = 5_000;
const TAIL_LINES = 20;
const execFileAsync = promisify(execFile);

// Messages in English whatever the machine's locale (READY is matched); nothing else of
// ours (tokens, URIs) reaches the server's environment, which its account can read.
const serverEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' });

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** Makes the cluster if it is missing; returns its password. */
async function ensureCluster(clusterDir: string, account: Account | undefined): Promise<string> {
  const passwordFile = `${clusterDir}.password`;
  if (existsSync(join(clusterDir, 'PG_VERSION'))) {
    try {
      return (await readFile(passwordFile, 'utf8')).trim();
    } catch (e) {
      throw new AppError(
        ErrorCode.Config,
        `the PostgreSQL cluster ${clusterDir} has no password file ${passwordFile}: restore it, or remove ${clusterDir} to start with an empty database`,
        { cause: e },
      );
    }
  }
  if (existsSync(clusterDir)) {
    throw new AppError(ErrorCode.Config, `${clusterDir} is not a PostgreSQL cluster (it has no PG_VERSION): move it away so an empty cluster can be made there`);
  }
  // base64url: it goes into the URL as it is.
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await giveTo(account, passwordFile); // initdb reads it as that account
  // initdb into a private name, renamed when complete: a cluster half made by an
  // interrupted start is never taken for a real one.
  const building = `${clusterDir}.init-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { mode: 0o700 });
  await giveTo(account, building);
  try {
    await execFileAsync(
      postgresBinaries().initdb,
      ['-D', building, '-U', ROLE, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { env: serverEnv(), timeout: 120_000, maxBuffer: 4 * 1024 * 1024, ...account },
    );
    await rename(building, clusterDir);
  } catch (e) {
    await rm(building, { recursive: true, force: true });
    throw new AppError(ErrorCode.Internal, `initdb could not make the PostgreSQL cluster ${clusterDir}: ${(e as Error).message}`, { cause: e });
  }
  return password;
}

type Started = { child: ChildProcess } | { error: AppError; portInUse: boolean };

function startPostmaster(clusterDir: string, port: number, account: Account | undefined, opts: EmbeddedPostgresOptions): Promise<Started> {
  const bin = postgresBinaries().postgres;
  const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // A process group of its own (detached): a terminal's Ctrl-C goes to the whole foreground
  // group, and would stop PostgreSQL under the service while it is still finishing its work;
  // the service stops it last. If the service dies, the FerretDB helper stops it.
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(), detached: true, ...account });
  const tail = lineTail(TAIL_LINES);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  return new Promise((done) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const lines = tail.lines();
      const log = lines.length ? `\n--- postgres log (last lines) ---\n${lines.join('\n')}` : ' (it logged nothing)';
      const portInUse = lines.some((l) => PORT_IN_USE.test(l));
      const what = portInUse ? `could not listen on 127.0.0.1:${port}, which is in use` : why;
      done({ error: new AppError(ErrorCode.Internal, `embedded PostgreSQL (${clusterDir}, port ${port}) ${what}${log}`), portInUse });
    };
    const timer = setTimeout(() => fail(`did not accept connections within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(`could not start: ${e.message}`));
    // 'close', not 'exit': by then its output is drained, so the log tail is complete.
    child.once('close', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    const onLine = (line: string) => {
      tail.push(line);
      opts.log?.(line);
      if (!settled && line.includes(READY)) {
        settled = true;
        clearTimeout(timer);
        done({ child });
      }
    };
    onLines(child.stdout!, onLine);
    onLines(child.stderr!, onLine);
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const clusterDir = resolve(opts.clusterDir);
  await mkdir(dirname(clusterDir), { recursive: true });
  const account = await postgresAccount();
  if (account) await letAccountReach(account, dirname(clusterDir));
  const password = await ensureCluster(clusterDir, account);
  await stopStalePostmaster(clusterDir, opts.log);

  const tried: number[] = [];
  let started: Started | undefined;
  while (tried.length < PORT_ATTEMPTS) {
    // Another process may take a port between freePort() and PostgreSQL's bind: try again.
    const port = tried.length === 0 && opts.port !== undefined ? opts.port : await freePort();
    tried.push(port);
    started = await startPostmaster(clusterDir, port, account, opts);
    if ('child' in started) break;
    if (!started.portInUse) throw started.error;
  }
  if (!started || !('child' in started)) {
    throw new AppError(ErrorCode.Internal, `embedded PostgreSQL (${clusterDir}) found every port it tried in use on 127.0.0.1: ${tried.join(', ')}`, {
      cause: started && 'error' in started ? started.error : undefined,
    });
  }
  const { child } = started;
  const port = tried.at(-1)!;

  // Fast shutdown (SIGINT) ends sessions and writes a checkpoint; this process may not
  // wait for it when exiting, but PostgreSQL finishes it on its own.
  const shutdownOnExit = () => child.kill('SIGINT');
  process.once('exit', shutdownOnExit);
  const stop = stopper(child, 'SIGINT', STOP_GRACE_MS, KILL_GRACE_MS, () => process.removeListener('exit', shutdownOnExit));
  return { url: `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`, port, pid: child.pid!, stop };
}
