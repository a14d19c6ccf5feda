// Starts the embedded FerretDB (tools/ferretdb, SQLite backend) so tests and the bot's
// first run have a MongoDB wire-compatible server without a mongod binary.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { AppError, ErrorCode } from '../errors.js';

export interface EmbeddedMongoOptions {
  /** Directory for the SQLite files; created if missing. */
  dataDir: string;
  /** Loopback address to listen on; default `127.0.0.1:0` (any free port). */
  listen?: string;
  /**
   * FerretDB's PostgreSQL backend instead of SQLite (the database is created if missing).
   * SQLite needs nothing but a folder; its updates cost grows with the collection's size,
   * so large benchmarks use PostgreSQL.
   */
  postgresqlUrl?: string;
  /** Receives every stderr line (FerretDB's log). */
  log?: (line: string) => void;
  /** How long to wait for the URI line; default 30 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedMongo {
  uri: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 20;
const execFileAsync = promisify(execFile);

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

/** Where the bot keeps its embedded database when MONGODB_URI is unset (git-ignored). */
export function defaultFerretdbDir(): string {
  return join(findRepoRoot(), '.data', 'ferretdb');
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Builds .bin/ferretdb when it is missing or older than its sources; returns its path. */
export async function ensureFerretdbBinary(root = findRepoRoot()): Promise<string> {
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
    await execFileAsync('bash', [join(srcDir, 'build.sh'), tmp], {
      cwd: srcDir,
      env: { ...process.env, PATH: existsSync(join(goBin, 'go')) ? `${goBin}:${process.env.PATH ?? ''}` : process.env.PATH },
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(tmp, bin);
  } catch (e) {
    await rm(tmp, { force: true });
    // execFile's message already carries the compiler's stderr.
    const why = (e as { code?: unknown }).code === 'ENOENT' ? 'bash is not installed' : (e as Error).message;
    throw new AppError(ErrorCode.Internal, `building FerretDB in ${srcDir} failed: ${why}`, { cause: e });
  }
  return bin;
}

/** Calls `onLine` for each complete line of a stream. */
function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl).replace(/\r$/, ''));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => buf && onLine(buf));
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const bin = await ensureFerretdbBinary();
  const dataDir = resolve(opts.dataDir);
  const backend = opts.postgresqlUrl ? ['--handler', 'postgresql', '--postgresql-url', opts.postgresqlUrl] : [];
  const child = spawn(bin, ['--listen', opts.listen ?? '127.0.0.1:0', '--dir', dataDir, ...backend], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If this process dies without calling stop(), do not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const tail: string[] = [];
  onLines(child.stderr!, (line) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    opts.log?.(line);
  });

  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const uri = await new Promise<string>((ok, fail) => {
    let settled = false;
    const failWith = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      const log = tail.length ? `\n--- ferretdb stderr (last lines) ---\n${tail.join('\n')}` : ' (no stderr output)';
      fail(new AppError(ErrorCode.Internal, `embedded FerretDB (${bin}, --dir ${dataDir}) ${why}${log}`));
    };
    const timer = setTimeout(() => failWith(`printed no URI within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => failWith(`could not start: ${e.message}`));
    // 'close', not 'exit': by then stderr is drained, so the tail in the error is complete.
    child.once('close', (code, signal) => failWith(`exited before it was ready (code ${code}, signal ${signal})`));
    onLines(child.stdout!, (line) => {
      if (settled || !line.startsWith('mongodb://')) return opts.log?.(line);
      settled = true;
      clearTimeout(timer);
      ok(line.trim());
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
      process.removeListener('exit', killOnExit);
    })());
  return { uri, stop };
}
