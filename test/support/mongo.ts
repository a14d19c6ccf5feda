// A fresh database per test file, dropped afterwards, so files can run in parallel
// against the one server and leave nothing behind.
import { randomBytes } from 'node:crypto';

import type mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';

/** `t_` + hex: FerretDB accepts only [A-Za-z0-9_-]{1,63} as a database name. */
export function createTestDbName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export function useTestDatabase(): { conn(): mongoose.Connection } {
  let conn: mongoose.Connection | undefined;

  beforeAll(async () => {
    conn = await connectMongo(inject('mongodbUri'), createTestDbName());
  });

  afterAll(async () => {
    if (!conn) return;
    await conn.dropDatabase();
    await conn.close();
    conn = undefined;
  });

  return {
    conn() {
      if (!conn) throw new Error('useTestDatabase().conn() is only available inside tests and hooks after beforeAll');
      return conn;
    },
  };
}
