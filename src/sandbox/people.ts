// Who is in the sandbox's workspace: enough people to show what a run needs (someone who
// drives it, someone who approves its gates, someone who only watches), one channel, and
// the app that posts alerts.
import type { Logger } from '../logger.js';
import type { PermissionStore } from '../models/permission-store.js';
import { DEFAULT_CHANNEL } from './slack-requests.js';

export interface SandboxUser {
  id: string;
  name: string;
  real_name: string;
  title: string;
  /** Granted on start: what the built-in playbooks require, to all but the watcher. */
  permissions: readonly string[];
}

const DEVICE_OPERATOR = ['devices:read', 'devices:execute'];

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: 'U0ALICE', name: 'alice', real_name: 'Alice Operator', title: 'On-call operator', permissions: DEVICE_OPERATOR },
  { id: 'U0BOB', name: 'bob', real_name: 'Bob Approver', title: 'Approves production changes', permissions: DEVICE_OPERATOR },
  { id: 'U0CAROL', name: 'carol', real_name: 'Carol Viewer', title: 'Watches', permissions: ['devices:read'] },
];

export const SANDBOX_CHANNELS = [{ id: DEFAULT_CHANNEL.id, name: DEFAULT_CHANNEL.name }] as const;

/** The sandbox's bot token: the fake Web API takes any xoxb- token. */
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox';

export const ALERTMANAGER_APP = { botId: 'B0ALERTMGR', userId: 'U0ALERTMGR', username: 'AlertManager' } as const;

export function sandboxUser(id: unknown): SandboxUser | undefined {
  return SANDBOX_USERS.find((u) => u.id === id);
}

/** Grants each person their permissions (a set: a restart grants nothing twice). */
export async function grantSandboxPermissions(permissions: Pick<PermissionStore, 'grant'>, logger: Logger): Promise<void> {
  for (const user of SANDBOX_USERS) {
    const { granted } = await permissions.grant(user.id, user.permissions, { kind: 'cli', id: 'sandbox' });
    if (granted.length > 0) logger.info('sandbox permissions granted', { user: user.id, permissions: granted });
  }
}
