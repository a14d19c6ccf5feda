import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_DATABASE, openDatabase } from '../../src/models/open-database.js';
import { createTestDbName } from '../support/mongo.js';

describe('openDatabase', () => {
  it(`uses the "${DEFAULT_DATABASE}" database when the URI names none`, async () => {
    const db = await openDatabase({ mongodbUri: inject('mongodbUri') });
    try {
      expect(db.conn.name).toBe(DEFAULT_DATABASE);
      expect(db.where).toBe('MONGODB_URI');
    } finally {
      await db.close();
    }
  });

  it('uses the database the URI names', async () => {
    const name = createTestDbName();
    const db = await openDatabase({ mongodbUri: `${inject('mongodbUri').replace(/\/$/, '')}/${name}` });
    try {
      expect(db.conn.name).toBe(name);
    } finally {
      await db.conn.dropDatabase();
      await db.close();
    }
  });

  it('shares one embedded server per data folder: a second opener connects to the first one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rb-shared-'));
    const first = await openDatabase({}, { dataDir });
    try {
      expect(first.where).toBe(`embedded FerretDB on PostgreSQL in ${dataDir}`);
      expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
      await first.conn.collection('probe').insertOne({ _id: 'seen' } as never);
      const second = await openDatabase({}, { dataDir });
      expect(second.where).toContain(`started by process ${process.pid}`);
      expect(await second.conn.collection('probe').countDocuments({ _id: 'seen' } as never)).toBe(1);
      await second.close();
      // Closing the second left the first one's server running.
      expect(await first.conn.collection('probe').countDocuments()).toBe(1);
    } finally {
      await first.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
