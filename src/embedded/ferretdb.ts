// The embedded database the bot, the CLI and the tests use when MONGODB_URI is unset:
// FerretDB (tools/ferretdb) on an embedded PostgreSQL, both children of this process, in
// one data folder:
//   server.json        which process serves the folder, and FerretDB's URI (shared-server.ts)
//   postgres/          the PostgreSQL cluster; postgres.password next to it
// With a PostgreSQL of the user's (FERRETDB_POSTGRESQL_URL) only server.json is kept.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AppError, ErrorCode } from '../errors.js';
import { runBuildWithProgress, stderrProgress, type ProgressLogger } from './build-progress.js';
import { startFerretdbProcess } from './ferretdb-process.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './postgres.js';
import { claimDataFolder } from './shared-server.js';

export interface EmbeddedMongoOptions {
  /** The data folder; created if missing. */
  dataDir: string;
  /** FerretDB's loopback address; default `127.0.0.1:0` (any free port). */
  listen?: string;
  /**
   * A PostgreSQL of your own for FerretDB (its database is created if missing) instead of
   * the embedded one.
   */
  postgresqlUrl?: string;
  /** The port the embedded PostgreSQL tries first; when taken, or unset, any free one. */
  postgresPort?: number;
  /** Receives every line FerretDB and PostgreSQL log (FerretDB's prefixed "ferretdb: "). */
  log?: (line: string) => void;
  /** How long to wait for each server to be ready; default 30 s. */
  startTimeoutMs?: number;
  /** A FerretDB build to run instead of the project's (a benchmark compares builds). */
  binary?: string;
  /** Where building FerretDB (first start) says what it is doing; default readable lines on stderr. */
  logger?: ProgressLogger;
}

export interface EmbeddedMongo {
  uri: string;
  /** The embedded PostgreSQL (not with postgresqlUrl). */
  postgres?: { port: number; pid: number };
  ferretdbPid: number;
  stop(): Promise<void>;
}

/** The repo root is found from this file, not cwd, so any caller (CLI, vitest, bin) agrees. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'tools', 'ferretdb', 'go.mod'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new AppError(ErrorCode.Config, 'cannot find tools/ferretdb above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The data folder the bot uses when MONGODB_URI is unset (git-ignored); see startEmbeddedMongo. */
export function defaultDataDir(): string {
  return join(findRepoRoot(), '.data');
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface FerretdbBuildOptions {
  root?: string;
  /** Where the build says what it is doing; default readable lines on stderr. */
  logger?: ProgressLogger;
  /** Stops a build under way (the service told to stop during its first start); it then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Builds .bin/ferretdb when it is missing or older than its sources; returns its path. */
export async function ensureFerretdbBinary({ root = findRepoRoot(), logger = stderrProgress, signal }: FerretdbBuildOptions = {}): Promise<string> {
  const srcDir = join(root, 'tools', 'ferretdb');
  const bin = join(root, '.bin', 'ferretdb');
  const built = await mtimeMs(bin);
  const sources = await Promise.all(['main.go', 'go.mod', 'go.sum', 'build.sh', 'patches/postgresql-query.go'].map((f) => mtimeMs(join(srcDir, f))));
  if (built !== undefined && sources.every((m) => m === undefined || m <= built)) return bin;

  await mkdir(dirname(bin), { recursive: true });
  // Build to a private name and rename, so a concurrent starter never runs half a file.
  const tmp = `${bin}.${process.pid}.tmp`;
  const goBin = '/usr/local/go/bin';
  try {
    // build.sh applies the project's patch to FerretDB (see tools/ferretdb/patches).
    await runBuildWithProgress(
      {
        file: 'bash',
        args: [join(srcDir, 'build.sh'), tmp],
        cwd: srcDir,
        env: { ...process.env, PATH: existsSync(join(goBin, 'go')) ? `${goBin}:${process.env.PATH ?? ''}` : process.env.PATH },
      },
      {
        logger,
        name: 'FerretDB',
        starting:
          built === undefined
            ? 'building FerretDB with Go (first start only, usually 1–2 minutes)'
            : 'rebuilding FerretDB with Go (tools/ferretdb changed; usually 1–2 minutes)',
        signal,
      },
    );
    await rename(tmp, bin);
  } catch (e) {
    await rm(tmp, { force: true });
    if (signal?.aborted && e === signal.reason) throw e;
    // The error names the build's exit and carries the compiler's last lines.
    const why = (e as { code?: unknown }).code === 'ENOENT' ? 'bash is not installed' : (e as Error).message;
    throw new AppError(ErrorCode.Internal, `building FerretDB in ${srcDir} failed: ${why}`, { cause: e });
  }
  return bin;
}

/**
 * Starts FerretDB, and the embedded PostgreSQL under it unless `postgresqlUrl` is given, on
 * a data folder this process then owns: a folder another live process owns is refused
 * with DataFolderBusyError (openDatabase connects to that one's server instead).
 */
export async function startEmbeddedMongo(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const dataDir = resolve(opts.dataDir);
  const claim = await claimDataFolder(dataDir);
  // What has started so far, stopped in reverse (FerretDB before the PostgreSQL it uses).
  const running: { stop(): Promise<void> }[] = [];
  const stopRunning = async () => {
    for (const server of running.reverse()) await server.stop();
  };
  try {
    // Built before PostgreSQL starts: a first build takes a while and may fail.
    const bin = opts.binary ?? (await ensureFerretdbBinary({ logger: opts.logger }));
    let postgres: EmbeddedPostgres | undefined;
    if (opts.postgresqlUrl === undefined) {
      postgres = await startEmbeddedPostgres({
        clusterDir: join(dataDir, 'postgres'),
        ...(opts.postgresPort === undefined ? {} : { port: opts.postgresPort }),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
      });
      running.push(postgres);
    }
    const log = opts.log;
    const ferretdb = await startFerretdbProcess(bin, {
      postgresqlUrl: opts.postgresqlUrl ?? postgres!.url,
      ...(postgres ? { postgresPid: postgres.pid } : {}),
      ...(opts.listen === undefined ? {} : { listen: opts.listen }),
      ...(log ? { log: (line: string) => log(`ferretdb: ${line}`) } : {}),
      ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
    });
    running.push(ferretdb);
    await claim.publish(ferretdb.uri);

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        // New openers stop coming here first; the folder is given up only once all has stopped.
        await claim.unpublish().catch(() => undefined);
        await stopRunning();
        await claim.release();
      })());
    return { uri: ferretdb.uri, ...(postgres ? { postgres: { port: postgres.port, pid: postgres.pid } } : {}), ferretdbPid: ferretdb.pid, stop };
  } catch (error) {
    await stopRunning();
    await claim.release();
    throw error;
  }
}
