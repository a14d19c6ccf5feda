// Opening the stores for one CLI invocation: configuration first (a bad environment
// stops before anything starts), then MongoDB, or the embedded FerretDB on PostgreSQL in
// the bot's own data folder when MONGODB_URI is unset (a bot running there shares its
// server). One connection serves every store; close() undoes whatever was started.
import { relative } from 'node:path';

import { loadConfig } from '../config/env.js';
import { defaultDataDir } from '../embedded/ferretdb.js';
import { silentLogger } from '../logger.js';
import { createAccessStore } from '../models/access-store.js';
import { createApiKeyStore } from '../models/api-key-store.js';
import { createDeviceCredentialStore } from '../models/device-credential-store.js';
import { openDatabase, type OpenDatabase } from '../models/open-database.js';
import { createPermissionStore } from '../models/permission-store.js';
import { createRunStore } from '../models/run-store.js';
import { createRunbookStore } from '../models/runbook-store.js';
import { createAccess } from '../services/access.js';
import { createApiKeys, type ApiKeys } from '../services/api-keys.js';
import { createDeviceCredentials, type DeviceCredentials } from '../services/device-credentials.js';
import { createPermissions, type Permissions } from '../services/permissions.js';
import { createRunbooks, type Runbooks } from '../services/runbooks.js';
import type { CliIo } from './command.js';

export interface StoreSession {
  runbooks(): Promise<Runbooks>;
  permissions(): Promise<Permissions>;
  apiKeys(): Promise<ApiKeys>;
  deviceCredentials(): Promise<DeviceCredentials>;
  close(): Promise<void>;
}

interface Services {
  runbooks: Runbooks;
  permissions: Permissions;
  apiKeys: ApiKeys;
  deviceCredentials: DeviceCredentials;
}

/** The services over one connection, with the same access check the bot applies (the CLI passes it as admin). */
function servicesOn(open: OpenDatabase): Services {
  const runbookStore = createRunbookStore(open.conn);
  const grants = createPermissionStore(open.conn);
  const state = createAccessStore(open.conn);
  const access = createAccess({ grants, state, logger: silentLogger });
  return {
    runbooks: createRunbooks({ store: runbookStore, runs: createRunStore(open.conn), access }),
    permissions: createPermissions({ store: grants, state, runbooks: runbookStore, access }),
    apiKeys: createApiKeys({ keys: createApiKeyStore(open.conn), permissions: grants, access }),
    deviceCredentials: createDeviceCredentials({ store: createDeviceCredentialStore(open.conn), access }),
  };
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

  let services: Promise<Services> | undefined;
  const connected = () => (services ??= (opening ??= open()).then(servicesOn));

  return {
    runbooks: async () => (await connected()).runbooks,
    permissions: async () => (await connected()).permissions,
    apiKeys: async () => (await connected()).apiKeys,
    deviceCredentials: async () => (await connected()).deviceCredentials,
    async close() {
      // Wait for a half-finished open so nothing it starts outlives the command.
      await opening?.catch(() => undefined);
      await db?.close();
    },
  };
}
