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
});
