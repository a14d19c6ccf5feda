// The process that owns a data folder dies by SIGKILL, with no chance to stop its servers:
// they must not outlive it for long, and the next start on the folder must work.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../src/models/open-database.js';
import { childrenOf, expectGone, expectPortClosed, makeTempRoot, portOf, postmasterPidOf, postmastersOn } from './support/processes.js';

let root: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  root = await makeTempRoot('runbook-bot-killed-owner-');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Starts a process holding the database on `dataDir`; resolves with its FerretDB URI once ready. */
async function startOwner(dataDir: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/embedded/support/hold-database.ts', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const uri = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the owner did not open the database within 60 s:\n${output}`)), 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (mongodb:\/\/\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        ok(ready[1]!);
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => fail(new Error(`the owner exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, uri };
}

async function killNow(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await expectGone(pid, 'the killed process', 5_000);
}

/** A fresh start on the folder sees the data the dead owner wrote, then stops cleanly. */
async function expectReopens(dataDir: string): Promise<void> {
  const db = await openDatabase({}, { dataDir });
  try {
    expect(db.where).toBe(`embedded FerretDB on PostgreSQL in ${dataDir}`);
    expect(await db.conn.collection('held').countDocuments({ _id: 'before-kill' } as never)).toBe(1);
    expect(postmastersOn(join(dataDir, 'postgres'))).toHaveLength(1);
  } finally {
    await db.close();
  }
  expect(postmastersOn(join(dataDir, 'postgres'))).toEqual([]);
}

describe('an owner killed with SIGKILL', () => {
  it('takes FerretDB and PostgreSQL with it (the helper sees its stdin close), and the folder opens again', async () => {
    const dataDir = join(root, 'a');
    const { child, uri } = await startOwner(dataDir);
    const clusterDir = join(dataDir, 'postgres');
    const postgresPid = postmasterPidOf(clusterDir);
    const helper = childrenOf(child.pid!).find((c) => c.comm === 'ferretdb');
    expect(helper).toBeDefined();

    await killNow(child.pid!);

    await expectGone(helper!.pid, 'FerretDB');
    await expectGone(postgresPid, 'PostgreSQL');
    await expectPortClosed(portOf(uri));
    await expectReopens(dataDir);
  });

  it('leaving a PostgreSQL behind (its FerretDB killed too): the next start stops it and starts its own', async () => {
    const dataDir = join(root, 'b');
    const { child } = await startOwner(dataDir);
    const clusterDir = join(dataDir, 'postgres');
    const orphan = postmasterPidOf(clusterDir);
    const helper = childrenOf(child.pid!).find((c) => c.comm === 'ferretdb')!;

    // The helper first, so it cannot stop PostgreSQL when its parent goes.
    await killNow(helper.pid);
    await killNow(child.pid!);
    expect(postmastersOn(clusterDir)).toEqual([orphan]);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(true); // the dead owner's record

    await expectReopens(dataDir);
    await expectGone(orphan, 'the orphaned PostgreSQL', 1_000);
  });
});
