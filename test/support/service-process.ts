// `npm start` as a real child process, for tests about start-up lines, signals and being
// killed outright: node itself by default (so a signal reaches the service as it is sent),
// or npm running the start script, as a person or a process manager starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServiceProcess {
  port: number;
  /** The `msg` of every JSON log line so far. */
  lines: string[];
  /** Every line printed so far, on stdout and stderr, as printed. */
  printed: { stream: 'stdout' | 'stderr'; line: string }[];
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves once a log line with this `msg` has been printed; rejects after `timeoutMs`. */
  waitForLine(msg: string, timeoutMs?: number): Promise<void>;
}

export interface ServiceProcessOptions {
  /** Run `npm start` (npm, then the package's start script) instead of node directly. */
  viaNpm?: boolean;
  /** In a process group of its own, as a shell runs a command: signal the group with `-child.pid`. */
  ownGroup?: boolean;
}

function logMessage(line: string): string | undefined {
  try {
    const { msg } = JSON.parse(line) as { msg?: unknown };
    return typeof msg === 'string' ? msg : undefined;
  } catch {
    return undefined; // not a log line (npm's banner, or a line that should have been JSON)
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts src/main.ts with `env` (on top of this process's, minus any Slack settings); resolves
 * once it is listening, which it says at LOG_LEVEL info (the default here).
 */
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 30_000, opts: ServiceProcessOptions = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', PORT: String(port) };
  for (const name of Object.keys(full)) if (name.startsWith('SLACK_')) delete full[name];
  const [command, args] = opts.viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, { env: { ...full, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup ?? false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const printed: ServiceProcess['printed'] = [];
  const waiting = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        printed.push({ stream, line });
        const msg = logMessage(line);
        if (msg !== undefined) lines.push(msg);
      }
      for (const check of waiting) check();
    });
  }

  const waitForLine = (msg: string, waitMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!lines.includes(msg)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the service printed no "${msg}" line within ${waitMs} ms:\n${lines.join('\n')}`));
      }, waitMs);
      const done = () => {
        clearTimeout(timer);
        waiting.delete(check);
      };
      waiting.add(check);
      check();
    });

  await Promise.race([
    waitForLine('listening', timeoutMs),
    exited.then((code) => Promise.reject(new Error(`the service exited (${code}) before listening:\n${printed.map((p) => p.line).join('\n')}`))),
  ]);
  return {
    port,
    lines,
    printed,
    child,
    exited,
    waitForLine,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
