// The one way the shell opens its database, so the CLI and the bot always see the same
// data: MONGODB_URI when set, otherwise the embedded FerretDB (on the embedded PostgreSQL,
// or on FERRETDB_POSTGRESQL_URL) in the project's .data folder; and a named database when
// the URI does not name one (mongoose would use "test").
import type mongoose from 'mongoose';
import type { Config } from '../config/env.js';
import type { ProgressLogger } from '../embedded/build-progress.js';
import { defaultDataDir, startEmbeddedMongo } from '../embedded/ferretdb.js';
import { DataFolderBusyError, findSharedServer } from '../embedded/shared-server.js';
import { AppError, ErrorCode } from '../errors.js';
import { connectMongo } from './connection.js';

export const DEFAULT_DATABASE = 'runbook_bot';

/**
 * How long an opener waits for the folder's owner to finish starting (a first start builds
 * FerretDB with Go) or stopping before giving up.
 */
const OWNER_WAIT_MS = 120_000;
const RETRY_MS = 100;

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

/** How the start-up line names the embedded store (no credentials, only where). */
function describeEmbedded(config: Pick<Config, 'ferretdbPostgresqlUrl'>, dataDir: string): string {
  return config.ferretdbPostgresqlUrl === undefined
    ? `embedded FerretDB on PostgreSQL in ${dataDir}`
    : `embedded FerretDB on the PostgreSQL at FERRETDB_POSTGRESQL_URL (server record in ${dataDir})`;
}

export async function openDatabase(
  config: Pick<Config, 'mongodbUri' | 'ferretdbPostgresqlUrl'>,
  /** `logger`: where a first start's FerretDB build says what it is doing (default: lines on stderr). */
  opts: { dataDir?: string; ownerWaitMs?: number; logger?: ProgressLogger } = {},
): Promise<OpenDatabase> {
  if (config.mongodbUri !== undefined) return connectTo(config.mongodbUri, 'MONGODB_URI');
  const dataDir = opts.dataDir ?? defaultDataDir();
  const where = describeEmbedded(config, dataDir);
  const waitMs = opts.ownerWaitMs ?? OWNER_WAIT_MS;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let waitingFor: unknown;
    const shared = await findSharedServer(dataDir);
    if (shared) {
      try {
        return await connectTo(shared.uri, `${where} (started by process ${shared.pid})`);
      } catch (error) {
        waitingFor = error; // that process is going away; its folder will be free soon
      }
    } else {
      try {
        const embedded = await startEmbeddedMongo({
          dataDir,
          logger: opts.logger,
          ...(config.ferretdbPostgresqlUrl === undefined ? {} : { postgresqlUrl: config.ferretdbPostgresqlUrl }),
        });
        try {
          return await connectTo(embedded.uri, where, () => embedded.stop());
        } catch (error) {
          await embedded.stop();
          throw error;
        }
      } catch (error) {
        // Another process is starting or stopping the folder's server: wait for it.
        if (!(error instanceof DataFolderBusyError)) throw error;
        waitingFor = error;
      }
    }
    if (Date.now() >= deadline) {
      if (!(waitingFor instanceof DataFolderBusyError)) throw waitingFor;
      throw new AppError(ErrorCode.Conflict, `${waitingFor.message}, and it did not finish within ${waitMs / 1000} s`, { cause: waitingFor });
    }
    await new Promise((done) => setTimeout(done, RETRY_MS));
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
