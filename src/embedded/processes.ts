// What the embedded servers need to know about processes: their own children (lines of
// output, exit) and processes they did not start (a dead owner's PostgreSQL), which cannot
// be waited for and may have been replaced by another process with the same pid.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Calls `onLine` for each complete line of a stream. */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
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

/** The last `max` lines given to `push`, for an error message. */
export function lineTail(max: number): { push(line: string): void; lines(): string[] } {
  const kept: string[] = [];
  return {
    push(line) {
      kept.push(line);
      if (kept.length > max) kept.shift();
    },
    lines: () => [...kept],
  };
}

/** Resolves true once the child has exited, false if it is still running after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** Field 3 (state) and 22 (start time in clock ticks) of /proc/PID/stat; undefined off Linux or when gone. */
function procStat(pid: number): { state: string; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * When the process started, as an opaque token (Linux); with the pid it names one process,
 * so a record outlives pid reuse (a container restarted on the same volume reuses pids).
 */
/**
 * Stops `child` with `signal`, then SIGKILL when it has not exited within `graceMs`; the
 * returned function does it once however often it is called.
 */
export function stopper(child: ChildProcess, signal: NodeJS.Signals, graceMs: number, killGraceMs: number, after: () => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      child.kill(signal);
      if (!(await waitForExit(child, graceMs))) {
        child.kill('SIGKILL');
        await waitForExit(child, killGraceMs);
      }
      after();
    })());
}

export function processStartToken(pid: number): string | undefined {
  return procStat(pid)?.startTicks;
}

/** True if `pid` runs (a zombie, which no longer holds files or ports, counts as gone). */
export function isAlive(pid: number, startToken?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat?.state === 'Z') return false;
  return startToken === undefined || stat === undefined || stat.startTicks === startToken;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls until `pid` is gone (it is not our child, so there is no exit event); false after `ms`. */
export async function waitForPidExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}
