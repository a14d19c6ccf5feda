// The embedded PostgreSQL on its own, and FerretDB on a PostgreSQL given by URL
// (FERRETDB_POSTGRESQL_URL) instead of it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/embedded/postgres.js';
import { openDatabase } from '../../src/models/open-database.js';
import { expectPortClosed, makeTempRoot, postmastersOn } from './support/processes.js';

let root: string;
beforeAll(async () => {
  root = await makeTempRoot('runbook-bot-postgres-test-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((ok) => child.once('exit', ok));
  return child.pid!;
}

describe('startEmbeddedPostgres', () => {
  it('makes a cluster listening on 127.0.0.1 only, with a password kept beside it', async () => {
    const clusterDir = join(root, 'plain', 'postgres');
    const pg = await startEmbeddedPostgres({ clusterDir });
    try {
      const password = readFileSync(`${clusterDir}.password`, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(pg.url).toBe(`postgres://ferretdb:${password}@127.0.0.1:${pg.port}/ferretdb`);
      const conf = readFileSync(join(clusterDir, 'pg_hba.conf'), 'utf8');
      expect(conf).toMatch(/^host\s+all\s+all\s+127\.0\.0\.1\/32\s+scram-sha-256$/m);
      expect(conf).not.toMatch(/^\S+.*\btrust$/m);
      expect(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')).toEqual(
        expect.arrayContaining(['127.0.0.1', '']), // listen address line; no Unix socket directory
      );
    } finally {
      await pg.stop();
    }
    await expectPortClosed(pg.port);
  });

  it('starts over a postmaster.pid naming a dead process, or one now used by another program', async () => {
    const clusterDir = join(root, 'stale', 'postgres');
    await (await startEmbeddedPostgres({ clusterDir })).stop();

    for (const pid of [await deadPid(), process.pid]) {
      await writeFile(join(clusterDir, 'postmaster.pid'), `${pid}\n${clusterDir}\n1700000000\n5432\n\n127.0.0.1\n  1  1\nready   \n`);
      const pg = await startEmbeddedPostgres({ clusterDir });
      try {
        expect(postmastersOn(clusterDir)).toEqual([pg.pid]);
      } finally {
        await pg.stop();
      }
    }
  });
});

describe('FerretDB on a PostgreSQL given by URL', () => {
  let external: EmbeddedPostgres;
  beforeAll(async () => {
    external = await startEmbeddedPostgres({ clusterDir: join(root, 'external', 'postgres') });
  });
  afterAll(async () => {
    await external?.stop();
  });

  it('stores there, creating the database, and starts no PostgreSQL of its own', async () => {
    const dataDir = join(root, 'uses-external');
    const url = external.url.replace(/\/ferretdb$/, '/runbook_external');
    const db = await openDatabase({ ferretdbPostgresqlUrl: url }, { dataDir });
    try {
      expect(db.where).toBe(`embedded FerretDB on the PostgreSQL at FERRETDB_POSTGRESQL_URL (server record in ${dataDir})`);
      expect(db.where).not.toContain(url);
      await db.conn.collection('kept').insertOne({ _id: 'x' } as never);
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
      expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
    } finally {
      await db.close();
    }
    // Closing stopped FerretDB only: the PostgreSQL is not ours, and it has the data.
    expect(postmastersOn(join(root, 'external', 'postgres'))).toEqual([external.pid]);
    const again = await openDatabase({ ferretdbPostgresqlUrl: url }, { dataDir });
    try {
      expect(await again.conn.collection('kept').countDocuments()).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('fails naming the PostgreSQL without its password when it refuses the login', async () => {
    const wrong = external.url.replace(/:[^:@/]+@/, ':not-the-password@');
    const err = await openDatabase({ ferretdbPostgresqlUrl: wrong }, { dataDir: join(root, 'wrong-password') }).catch((e: unknown) => e);

    expect((err as Error).message).toMatch(/embedded FerretDB .* exited before it was ready[\s\S]*password authentication failed/);
    expect((err as Error).message).toContain(`postgres://ferretdb:***@127.0.0.1:${external.port}/ferretdb`);
    expect((err as Error).message).not.toContain('not-the-password');
    expect(postmastersOn(join(root, 'external', 'postgres'))).toEqual([external.pid]);
  });
});
