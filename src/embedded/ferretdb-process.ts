// The FerretDB helper process (.bin/ferretdb, built from tools/ferretdb) on a PostgreSQL
// database. Its stdin is a pipe nobody writes to: when this process dies, even by kill -9,
// the pipe closes and the helper exits, taking the embedded PostgreSQL down with it.
import { spawn } from 'node:child_process';

import { AppError, ErrorCode } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { lineTail, onLines, stopper } from './processes.js';

export interface FerretdbProcessOptions {
  /** FerretDB's storage; carries a password, so it goes by environment, never argv or logs. */
  postgresqlUrl: string;
  /** The embedded PostgreSQL's postmaster, for the helper to stop if this process dies. */
  postgresPid?: number;
  /** Loopback address to listen on; default `127.0.0.1:0` (any free port). */
  listen?: string;
  /** Receives every line the helper logs, URLs redacted. */
  log?: (line: string) => void;
  /** How long to wait for the URI line; default 30 s. */
  startTimeoutMs?: number;
}

export interface FerretdbProcess {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 20;

export async function startFerretdbProcess(bin: string, opts: FerretdbProcessOptions): Promise<FerretdbProcess> {
  const args = ['--listen', opts.listen ?? '127.0.0.1:0', '--exit-with-stdin'];
  if (opts.postgresPid !== undefined) args.push('--stop-postgres-on-stdin-eof', String(opts.postgresPid));
  // Detached (a process group of its own), so a terminal's Ctrl-C, sent to the whole
  // foreground group, does not stop it before the service has finished with it.
  const child = spawn(bin, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, FERRETDB_POSTGRESQL_URL: opts.postgresqlUrl },
  });
  // If this process exits without calling stop(), do not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const tail = lineTail(TAIL_LINES);
  onLines(child.stderr!, (raw) => {
    const line = redactSecrets(raw);
    tail.push(line);
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
      const lines = tail.lines();
      const log = lines.length ? `\n--- ferretdb stderr (last lines) ---\n${lines.join('\n')}` : ' (no stderr output)';
      fail(new AppError(ErrorCode.Internal, `embedded FerretDB (${bin}, on ${redactSecrets(opts.postgresqlUrl)}) ${why}${log}`));
    };
    const timer = setTimeout(() => failWith(`printed no URI within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => failWith(`could not start: ${e.message}`));
    // 'close', not 'exit': by then stderr is drained, so the tail in the error is complete.
    child.once('close', (code, signal) => failWith(`exited before it was ready (code ${code}, signal ${signal})`));
    onLines(child.stdout!, (line) => {
      if (settled || !line.startsWith('mongodb://')) return opts.log?.(redactSecrets(line));
      settled = true;
      clearTimeout(timer);
      ok(line.trim());
    });
  });

  // SIGTERM, not closing stdin: a graceful stop leaves PostgreSQL to its owner.
  const stop = stopper(child, 'SIGTERM', STOP_GRACE_MS, STOP_GRACE_MS, () => process.removeListener('exit', killOnExit));
  return { uri, pid: child.pid!, stop };
}
