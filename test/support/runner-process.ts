// `runbook-bot runner` as a real child process, for tests where a device's runner is its own
// program: started, answering tool calls, and stopped or killed outright.
import { spawn, type ChildProcess } from 'node:child_process';

import { runCaptured } from '../cli/support/cli.js';

export interface RunnerProcess {
  child: ChildProcess;
  /** The `msg` of every JSON log line so far. */
  lines: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const NO_DATABASE = 'mongodb://127.0.0.1:1/no-database-for-runners';

/** Credentials enrolled so far, by database and device: a device's runner restarts with the one it had. */
const enrolled = new Map<string, string>();

/** `runbook-bot runner enroll DEVICE_ID` against the bot's database: the credential it printed. */
export async function enrollDevice(deviceId: string, env: { MONGODB_URI: string }): Promise<string> {
  const known = enrolled.get(`${env.MONGODB_URI} ${deviceId}`);
  if (known !== undefined) return known;
  const result = await runCaptured(['runner', 'enroll', deviceId], { MONGODB_URI: env.MONGODB_URI, RUNBOOK_BOT_USER: 'tester' });
  if (result.code !== 0 || result.stdout.length !== 1) throw new Error(`runner enroll ${deviceId} failed: ${result.stderr.join('\n')}`);
  enrolled.set(`${env.MONGODB_URI} ${deviceId}`, result.stdout[0] as string);
  return result.stdout[0] as string;
}

/**
 * Resolves once the runner says it started (it has registered its device and serves its
 * queue). Without RUNNER_CREDENTIAL in `env`, the `--device-id` is enrolled first, as an admin
 * would. The runner gets Redis and its credential, and a MONGODB_URI that leads nowhere.
 */
export async function startRunnerProcess(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<RunnerProcess> {
  const device = args[args.indexOf('--device-id') + 1];
  const credential = env.RUNNER_CREDENTIAL ?? (device !== undefined && env.MONGODB_URI ? await enrollDevice(device, { MONGODB_URI: env.MONGODB_URI }) : undefined);
  // A runner needs no database: it is given one nobody listens on, which it must never try.
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env, MONGODB_URI: NO_DATABASE, ...(credential ? { RUNNER_CREDENTIAL: credential } : {}) };
  for (const name of Object.keys(full)) if (name.startsWith('SLACK_')) delete full[name];
  const child = spawn(process.execPath, ['bin/runbook-bot.mjs', 'runner', ...args], { env: full, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  let buffered = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) lines.push(line.startsWith('{') ? (JSON.parse(line) as { msg: string }).msg : line);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`the runner exited (${code}) before starting:\n${lines.join('\n')}`)));
    const check = setInterval(() => {
      if (!lines.includes('runner started')) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve();
    }, 20);
  });
  return {
    child,
    lines,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Kills a process (or, negative, a process group) that may already be gone: what runners started outlives them. */
export function killQuietly(pid: number): void {
  if (!Number.isInteger(pid) || pid === 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
