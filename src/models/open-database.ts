// The one way the shell opens its database, so the CLI and the bot always see the same
// data: MONGODB_URI when set, otherwise the embedded FerretDB on the project's .data
// folder; and a named database when the URI does not name one (mongoose would use "test").
import type mongoose from 'mongoose';
import type { Config } from '../config/env.js';
import { defaultFerretdbDir, startEmbeddedMongo, type EmbeddedMongo } from '../embedded/ferretdb.js';
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
  let embedded: EmbeddedMongo | undefined;
  let uri = config.mongodbUri;
  let where = 'MONGODB_URI';
  if (uri === undefined) {
    const dataDir = opts.dataDir ?? defaultFerretdbDir();
    embedded = await startEmbeddedMongo({ dataDir });
    uri = embedded.uri;
    where = `embedded FerretDB in ${dataDir}`;
  }
  try {
    const conn = await connectMongo(uri, namesDatabase(uri) ? undefined : DEFAULT_DATABASE);
    return {
      conn,
      where,
      async close() {
        await conn.close().catch(() => undefined);
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
