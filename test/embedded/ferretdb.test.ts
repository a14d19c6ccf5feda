import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultFerretdbDir, startEmbeddedMongo } from '../../src/embedded/ferretdb.js';
import { AppError } from '../../src/errors.js';
import { connectMongo } from '../../src/models/connection.js';

/** Resolves if something accepts TCP connections at the URI's host:port. */
function tcpConnect(uri: string): Promise<void> {
  const { hostname, port } = new URL(uri);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end();
      ok();
    });
    socket.once('error', fail);
  });
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'runbook-bot-ferretdb-test-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('startEmbeddedMongo', () => {
  it('serves MongoDB clients until stopped', async () => {
    const mongo = await startEmbeddedMongo({ dataDir: join(dataDir, 'a') });
    expect(mongo.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);

    const conn = await connectMongo(mongo.uri, 'smoke');
    const { ok } = await conn.db!.admin().ping();
    await conn.close();
    await mongo.stop();
    await mongo.stop(); // stopping twice is harmless

    expect(ok).toBe(1);
    await expect(tcpConnect(mongo.uri)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps data across a restart on the same directory', async () => {
    const dir = join(dataDir, 'b');
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

  it('defaults the bot\'s data to .data/ferretdb in the repo, wherever it is started from', () => {
    expect(defaultFerretdbDir()).toBe(join(process.cwd(), '.data', 'ferretdb'));
  });

  it('fails with the server log when the port is taken', async () => {
    const first = await startEmbeddedMongo({ dataDir: join(dataDir, 'c') });
    try {
      const listen = first.uri.replace(/^mongodb:\/\/|\/$/g, '');
      const err = await startEmbeddedMongo({ dataDir: join(dataDir, 'd'), listen }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(/exited before it was ready[\s\S]*ferretdb stderr[\s\S]*address already in use/);
    } finally {
      await first.stop();
    }
  });
});
