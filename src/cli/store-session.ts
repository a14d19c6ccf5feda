// Opening the stores for one CLI invocation: configuration first (a bad environment
// stops before anything starts), then MongoDB, or the embedded FerretDB on PostgreSQL in
// the bot's own data folder when MONGODB_URI is unset (a bot running there shares its
// server). One connection serves every store; close() undoes whatever was started.
import { relative } from 'node:path';

import { loadConfig } from '../config/env.js';
import { defaultDataDir } from '../embedded/ferretdb.js';
import { createApiKeyStore, type ApiKeyStore } from '../models/api-key-store.js';
import { openDatabase, type OpenDatabase } from '../models/open-database.js';
import { createPermissionStore, type PermissionStore } from '../models/permission-store.js';
import { createRunStore } from '../models/run-store.js';
import { createRunbookStore } from '../models/runbook-store.js';
import { createRunbooks, type Runbooks } from '../services/runbooks.js';
import type { CliIo } from './command.js';

export interface StoreSession {
  runbooks(): Promise<Runbooks>;
  permissions(): Promise<PermissionStore>;
  apiKeys(): Promise<ApiKeyStore>;
  close(): Promise<void>;
}

export function createStoreSession(io: CliIo): StoreSession {
  let opening: Promise<OpenDatabase> | undefined;
  let db: OpenDatabase | undefined;

  async function open(): Promise<OpenDatabase> {
    const config = loadConfig(io.env);
    if (config.mongodbUri === undefined) {
      // Said on stderr so stdout stays clean for export, and the user knows which data changed.
      const store = config.ferretdbPostgresqlUrl === undefined ? 'PostgreSQL' : 'the PostgreSQL at FERRETDB_POSTGRESQL_URL';
      io.stderr(`MONGODB_URI is unset: using the embedded FerretDB on ${store}, data folder ${relative(io.cwd, defaultDataDir()) || '.'}`);
    }
    db = await openDatabase(config);
    return db;
  }

  const connected = () => (opening ??= open());
  let runbooks: Promise<Runbooks> | undefined;
  let permissions: Promise<PermissionStore> | undefined;
  let apiKeys: Promise<ApiKeyStore> | undefined;

  return {
    runbooks() {
      runbooks ??= connected().then((open) => createRunbooks({ store: createRunbookStore(open.conn), runs: createRunStore(open.conn) }));
      return runbooks;
    },
    permissions() {
      permissions ??= connected().then((open) => createPermissionStore(open.conn));
      return permissions;
    },
    apiKeys() {
      apiKeys ??= connected().then((open) => createApiKeyStore(open.conn));
      return apiKeys;
    },
    async close() {
      // Wait for a half-finished open so nothing it starts outlives the command.
      await opening?.catch(() => undefined);
      await db?.close();
    },
  };
}
