// One server per data folder: whoever opens a folder while another process serves it
// connects to that server, so a PostgreSQL cluster never has two postmasters.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedMongo } from '../../src/embedded/ferretdb.js';
import { DataFolderBusyError } from '../../src/embedded/shared-server.js';
import { openDatabase } from '../../src/models/open-database.js';
import { expectGone, makeTempRoot, postmastersOn } from './support/processes.js';

let root: string;
beforeAll(async () => {
  root = await makeTempRoot('runbook-bot-shared-folder-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a data folder opened by several', () => {
  it('has openers racing on a fresh folder share one server', async () => {
    const dataDir = join(root, 'race');
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({}, { dataDir })));
    try {
      expect(dbs.filter((db) => db.where === `embedded FerretDB on PostgreSQL in ${dataDir}`)).toHaveLength(1);
      expect(dbs.filter((db) => db.where.endsWith(`(started by process ${process.pid})`))).toHaveLength(2);
      expect(postmastersOn(join(dataDir, 'postgres'))).toHaveLength(1);
      await dbs[0]!.conn.collection('seen').insertOne({ _id: 'one' } as never);
      for (const db of dbs) expect(await db.conn.collection('seen').countDocuments()).toBe(1);
    } finally {
      // Openers first, the starter last: closing an opener leaves the server up.
      const starter = dbs.find((db) => !db.where.includes('started by'))!;
      for (const db of dbs) if (db !== starter) await db.close();
      expect(await starter.conn.collection('seen').countDocuments()).toBe(1);
      await starter.close();
    }
    expect(postmastersOn(join(dataDir, 'postgres'))).toEqual([]);
  });

  it('refuses to start a second server on a folder a live process holds, naming it', async () => {
    const dataDir = join(root, 'held');
    const first = await startEmbeddedMongo({ dataDir });
    try {
      const err = await startEmbeddedMongo({ dataDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataFolderBusyError);
      expect((err as Error).message).toBe(`the embedded database in ${dataDir} is held by process ${process.pid} (starting or stopping its server)`);
      expect(postmastersOn(join(dataDir, 'postgres'))).toEqual([first.postgres!.pid]);
    } finally {
      await first.stop();
    }
  });

  it("has another process's opener use this process's server, and keep it up when it closes", async () => {
    const dataDir = join(root, 'other-process');
    const mine = await openDatabase({}, { dataDir });
    let child: ChildProcess | undefined;
    try {
      await mine.conn.collection('notes').insertOne({ _id: 'from-owner' } as never);
      // The other process opens, counts what the owner wrote, writes its own, and closes.
      const script = [
        "import { openDatabase } from './src/models/open-database.ts';",
        `const db = await openDatabase({}, { dataDir: ${JSON.stringify(dataDir)} });`,
        "const seen = await db.conn.collection('notes').countDocuments();",
        "await db.conn.collection('notes').insertOne({ _id: 'from-other' });",
        'await db.close();',
        'console.log(JSON.stringify({ where: db.where, seen }));',
      ].join('\n');
      child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise((ok) => child!.once('exit', ok));
      expect(code, out).toBe(0);

      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
        where: `embedded FerretDB on PostgreSQL in ${dataDir} (started by process ${process.pid})`,
        seen: 1,
      });
      expect(await mine.conn.collection('notes').countDocuments()).toBe(2);
      expect(postmastersOn(join(dataDir, 'postgres'))).toHaveLength(1);
    } finally {
      child?.kill('SIGKILL');
      await mine.close();
    }
  });

  it('waits, bounded, for an owner that is still starting, then names it', async () => {
    const dataDir = join(root, 'starting');
    const first = await startEmbeddedMongo({ dataDir });
    // As while its owner is still starting: a live owner, no URI yet.
    await writeFile(join(dataDir, 'server.json'), `${JSON.stringify({ pid: process.pid })}\n`);
    try {
      const started = Date.now();
      const err = await openDatabase({}, { dataDir, ownerWaitMs: 500 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((err as Error).message).toBe(
        `the embedded database in ${dataDir} is held by process ${process.pid} (starting or stopping its server), and it did not finish within 0.5 s`,
      );
    } finally {
      await first.stop();
    }
    await expectGone(first.postgres!.pid, 'PostgreSQL', 1_000);
  });
});
