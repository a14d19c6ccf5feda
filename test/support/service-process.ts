// `npm start` as a real child process (node itself, not npx, so signals reach it), for
// tests about start-up lines, SIGTERM and being killed outright.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServiceProcess {
  port: number;
  /** The `msg` of every JSON log line so far. */
  lines: string[];
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
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
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  const port = await freePort();
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', PORT: String(port) };
  for (const name of Object.keys(full)) if (name.startsWith('SLACK_')) delete full[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...full, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the service printed no "listening" line within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening:\n${lines.join('\n')}`)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith('{')) lines.push((JSON.parse(line) as { msg: string }).msg);
      if (lines.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    port,
    lines,
    child,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
