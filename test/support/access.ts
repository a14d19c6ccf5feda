// The access check the app builds, on a test's own connection.
import type { Connection } from 'mongoose';

import { silentLogger } from '../../src/logger.js';
import { createAccessStore } from '../../src/models/access-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { createAccess, type Access } from '../../src/services/access.js';

export function accessOn(conn: Connection): Access {
  return createAccess({ grants: createPermissionStore(conn), state: createAccessStore(conn), logger: silentLogger });
}
