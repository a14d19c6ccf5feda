import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultDataDir, startEmbeddedMongo } from '../../src/embedded/ferretdb.js';
import { AppError } from '../../src/errors.js';
import { connectMongo } from '../../src/models/connection.js';
import { expectGone, expectPortClosed, makeTempRoot, portOf } from './support/processes.js';

let root: string;
beforeAll(async () => {
  root = await makeTempRoot('runbook-bot-ferretdb-test-');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('startEmbeddedMongo', () => {
  it('serves MongoDB clients until stopped, then FerretDB and PostgreSQL are gone and their ports closed', async () => {
    const dataDir = join(root, 'a');
    const mongo = await startEmbeddedMongo({ dataDir });
    expect(mongo.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(mongo.postgres).toEqual({ port: expect.any(Number), pid: expect.any(Number) });
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    const conn = await connectMongo(mongo.uri, 'smoke');
    const { ok } = await conn.db!.admin().ping();
    await conn.collection('probe').insertOne({ _id: 'p1' } as never);
    await conn.close();
    await mongo.stop();
    await mongo.stop(); // stopping twice is harmless

    expect(ok).toBe(1);
    await expectGone(mongo.ferretdbPid, 'FerretDB', 1_000);
    await expectGone(mongo.postgres!.pid, 'PostgreSQL', 1_000);
    await expectPortClosed(portOf(mongo.uri));
    await expectPortClosed(mongo.postgres!.port);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // a clean shutdown
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });

  it('keeps data across a restart on the same directory', async () => {
    const dir = join(root, 'b');
    const first = await startEmbeddedMongo({ dataDir: dir });
    const c1 = await connectMongo(first.uri, 'persist');
    await c1.collection('notes').insertOne({ _id: 'n1' as never, text: 'kept' });
    await c1.close();
    await first.stop();

    const second = await startEmbeddedMongo({ dataDir: dir });
    try {
      const c2 = await connectMongo(second.uri, 'persist');
      const doc = await c2.collection('notes').findOne({ _id: 'n1' as never });
      await c2.close();
      expect(doc).toMatchObject({ text: 'kept' });
    } finally {
      await second.stop();
    }
  });

  it("defaults the bot's data to .data in the repo, wherever it is started from", () => {
    expect(defaultDataDir()).toBe(join(process.cwd(), '.data'));
  });

  it('fails with the server log when the FerretDB port is taken, and stops the PostgreSQL it started', async () => {
    const first = await startEmbeddedMongo({ dataDir: join(root, 'c') });
    try {
      const listen = first.uri.replace(/^mongodb:\/\/|\/$/g, '');
      const err = await startEmbeddedMongo({ dataDir: join(root, 'd'), listen }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(/exited before it was ready[\s\S]*ferretdb stderr[\s\S]*address already in use/);
      expect((err as AppError).message).toContain('postgres://ferretdb:***@127.0.0.1:');
      expect((err as AppError).message).not.toContain(readFileSync(join(root, 'd', 'postgres.password'), 'utf8').trim());
      expect(existsSync(join(root, 'd', 'postgres', 'postmaster.pid'))).toBe(false);
      expect(existsSync(join(root, 'd', 'server.json'))).toBe(false);
    } finally {
      await first.stop();
    }
  });

  it('starts PostgreSQL on another port when the one it prefers is taken', async () => {
    const holder: Server = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const held = (holder.address() as { port: number }).port;
    try {
      const mongo = await startEmbeddedMongo({ dataDir: join(root, 'e'), postgresPort: held });
      try {
        expect(mongo.postgres!.port).not.toBe(held);
        const conn = await connectMongo(mongo.uri, 'ported');
        expect((await conn.db!.admin().ping()).ok).toBe(1);
        await conn.close();
      } finally {
        await mongo.stop();
      }
    } finally {
      await new Promise((ok) => holder.close(ok));
    }
  });
});
