// The one way the shell opens its database, so the CLI and the bot always see the same
// data: MONGODB_URI when set, otherwise the embedded FerretDB on the project's .data
// folder; and a named database when the URI does not name one (mongoose would use "test").
import type mongoose from 'mongoose';
import type { Config } from '../config/env.js';
import { defaultFerretdbDir, startEmbeddedMongo } from '../embedded/ferretdb.js';
import { findSharedServer, recordSharedServer } from '../embedded/shared-server.js';
import { connectMongo } from './connection.js';

export const DEFAULT_DATABASE = 'runbook_bot';

export interface OpenDatabase {
  conn: mongoose.Connection;
  /** Where the data lives, for a start-up line (no credentials). */
  where: string;
  close(): Promise<void>;
}

function namesDatabase(uri: string): boolean {
  try {
    return new URL(uri).pathname.replace(/^\//, '') !== '';
  } catch {
    return false;
  }
}

export async function openDatabase(config: Pick<Config, 'mongodbUri'>, opts: { dataDir?: string } = {}): Promise<OpenDatabase> {
  if (config.mongodbUri !== undefined) return connectTo(config.mongodbUri, 'MONGODB_URI');
  const dataDir = opts.dataDir ?? defaultFerretdbDir();
  const shared = await findSharedServer(dataDir);
  if (shared) {
    try {
      return await connectTo(shared.uri, `embedded FerretDB in ${dataDir} (started by process ${shared.pid})`);
    } catch {
      // That process is going away; start our own below.
    }
  }
  const embedded = await startEmbeddedMongo({ dataDir });
  try {
    const forget = await recordSharedServer(dataDir, embedded.uri);
    return await connectTo(embedded.uri, `embedded FerretDB in ${dataDir}`, async () => {
      await forget();
      await embedded.stop();
    });
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

async function connectTo(uri: string, where: string, stopServer?: () => Promise<void>): Promise<OpenDatabase> {
  const conn = await connectMongo(uri, namesDatabase(uri) ? undefined : DEFAULT_DATABASE);
  return {
    conn,
    where,
    async close() {
      await conn.close().catch(() => undefined);
      await stopServer?.();
    },
  };
}
