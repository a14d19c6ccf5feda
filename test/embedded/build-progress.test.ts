// A long build says what it is doing: the progress reporter run on real, short commands
// (sleep, bash) instead of a two-minute Go build, and ensureFerretdbBinary on a stand-in
// build.sh, logging JSON through the service's logger.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runBuildWithProgress } from '../../src/embedded/build-progress.js';
import { ensureFerretdbBinary } from '../../src/embedded/ferretdb.js';
import { createLogger } from '../../src/logger.js';
import { expectGone, makeTempRoot } from './support/processes.js';

let root: string;
beforeAll(async () => {
  root = await makeTempRoot('runbook-bot-build-progress-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function recorder() {
  const lines: { msg: string; ctx?: Record<string, unknown> }[] = [];
  return { lines, logger: { info: (msg: string, ctx?: Record<string, unknown>) => void lines.push({ msg, ...(ctx ? { ctx } : {}) }) } };
}

describe('runBuildWithProgress', () => {
  it('says what it builds and how long that takes, then a line per interval while it runs, then how long it took', async () => {
    const { lines, logger } = recorder();
    // 100 ms of real time reads as 15 s, as a real build's 15-second ticks would.
    const now = () => performance.now() * 150;

    await runBuildWithProgress({ file: 'sleep', args: ['0.45'] }, { logger, name: 'Thing', starting: 'building Thing (usually a while)', everyMs: 100, now });

    const msgs = lines.map((l) => l.msg);
    expect(msgs[0]).toBe('building Thing (usually a while)');
    const ticks = msgs.slice(1, -1);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const tick of ticks) expect(tick).toMatch(/^still building Thing \(\d+ s\)$/);
    const seconds = lines.slice(1, -1).map((l) => l.ctx?.seconds as number);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds[0]).toBeGreaterThanOrEqual(10);
    expect(msgs.at(-1)).toMatch(/^Thing built in \d+ s$/);
    expect(lines.at(-1)?.ctx?.seconds).toBeGreaterThanOrEqual(seconds.at(-1)!);
  });

  it('rejects naming the exit code and the last lines the build printed, and does not say it built', async () => {
    const { lines, logger } = recorder();

    const error = await runBuildWithProgress(
      { file: 'bash', args: ['-c', 'echo compiling; echo "main.go:3: undefined: x" >&2; exit 3'] },
      { logger, name: 'Thing', starting: 'building Thing' },
    ).catch((e: unknown) => e as Error);

    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toContain('exit code 3');
    expect(error?.message).toContain('main.go:3: undefined: x');
    expect(lines.map((l) => l.msg)).toEqual(['building Thing']);
  });

  it('when aborted, stops the whole build (the processes it started too) and rejects with the reason', async () => {
    const { logger } = recorder();
    const pidFile = join(root, 'grandchild.pid');
    const abort = new AbortController();

    const building = runBuildWithProgress(
      // Written then renamed: the shell creates a redirect's file before it writes to it,
      // and a pid read from the empty file would be 0 (this process's own group).
      { file: 'bash', args: ['-c', `sleep 30 & echo $! > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; wait`] },
      { logger, name: 'Thing', starting: 'building Thing', signal: abort.signal },
    );
    await expect.poll(() => existsSync(pidFile), { timeout: 5_000 }).toBe(true);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(1);
    const reason = new Error('stop');
    abort.abort(reason);

    await expect(building).rejects.toBe(reason);
    await expectGone(grandchild, 'the build’s sleep', 5_000);
  });
});

describe('ensureFerretdbBinary', () => {
  it('logs the first build as JSON lines through the logger it is given, and builds only once', async () => {
    const repo = join(root, 'repo');
    await mkdir(join(repo, 'tools', 'ferretdb'), { recursive: true });
    // A stand-in for the Go build: writes its output file after a moment.
    await writeFile(join(repo, 'tools', 'ferretdb', 'build.sh'), 'sleep 0.2\nprintf "#!/bin/sh\\n" > "$1"\n');
    const printed: string[] = [];
    const logger = createLogger('info', (line) => printed.push(line));

    const bin = await ensureFerretdbBinary({ root: repo, logger });
    await ensureFerretdbBinary({ root: repo, logger });

    expect(bin).toBe(join(repo, '.bin', 'ferretdb'));
    expect(existsSync(bin)).toBe(true);
    const entries = printed.map((line) => JSON.parse(line) as { level: string; msg: string; seconds?: number });
    expect(entries.map((e) => [e.level, e.msg.replace(/\d+ s$/, 'N s')])).toEqual([
      ['info', 'building FerretDB with Go (first start only, usually 1–2 minutes)'],
      ['info', 'FerretDB built in N s'],
    ]);
    expect(entries[1]?.seconds).toBeTypeOf('number');
  });
});
