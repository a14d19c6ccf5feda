// A build that takes minutes (the FerretDB helper, compiled with Go on a first start) run
// so that it explains itself: a first line saying what it is and how long it usually
// takes, a line every 15 s while it runs, and how long it took; otherwise the start is
// silent for minutes and looks hung.
//
// The build runs in a process group of its own: a terminal's Ctrl-C reaches only this
// process, which decides what stops, and stopping the group also stops the compilers the
// build started (killing the shell alone would leave them running). The group is killed if
// this process exits while the build is under way.
import { spawn } from 'node:child_process';

import type { Logger } from '../logger.js';
import { lineTail, onLines } from './processes.js';

export type ProgressLogger = Pick<Logger, 'info'>;

/** For callers without a logger (the CLI, the tests): readable lines on stderr. */
export const stderrProgress: ProgressLogger = {
  info: (msg) => void process.stderr.write(`runbook-bot: ${msg}\n`),
};

export interface BuildCommand {
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface BuildProgressOptions {
  logger: ProgressLogger;
  /** What is built, as the lines name it ("FerretDB"). */
  name: string;
  /** The first line, with how long the build usually takes. */
  starting: string;
  /** How often a "still building" line is written; default 15 s. */
  everyMs?: number;
  /** Stops the build; the returned promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
  now?: () => number;
}

const TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs `command` to completion, reporting progress; rejects naming its exit and its last output lines. */
export function runBuildWithProgress(command: BuildCommand, opts: BuildProgressOptions): Promise<void> {
  const { logger, name, signal } = opts;
  const now = opts.now ?? Date.now;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const started = now();
  const seconds = () => Math.round((now() - started) / 1000);
  logger.info(opts.starting);

  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: command.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail = lineTail(TAIL_LINES);
  onLines(child.stdout!, (line) => tail.push(line));
  onLines(child.stderr!, (line) => tail.push(line));
  const killOnExit = () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL');
  process.once('exit', killOnExit);
  const ticker = setInterval(() => {
    const s = seconds();
    logger.info(`still building ${name} (${s} s)`, { seconds: s });
  }, opts.everyMs ?? 15_000);
  let forceKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (child.pid === undefined) return;
    killGroup(child.pid, 'SIGTERM');
    forceKill = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  return new Promise<void>((resolve, reject) => {
    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    // 'close', not 'exit': by then the output is drained, so the tail in an error is complete.
    child.once('close', (code, exitSignal) => {
      clearInterval(ticker);
      clearTimeout(forceKill);
      signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', killOnExit);
      if (signal?.aborted) return reject(signal.reason);
      if (spawnError) return reject(spawnError);
      if (code === 0) {
        const s = seconds();
        logger.info(`${name} built in ${s} s`, { seconds: s });
        return resolve();
      }
      const lines = tail.lines();
      const output = lines.length ? `\n--- build output (last lines) ---\n${lines.join('\n')}` : ' (it printed nothing)';
      reject(new Error(`${[command.file, ...command.args].join(' ')} failed after ${seconds()} s (${exitSignal ? `signal ${exitSignal}` : `exit code ${code}`})${output}`));
    });
  });
}
