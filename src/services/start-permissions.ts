// Who may start a runbook that carries required_permissions (DESIGN §2): the Slack user must
// hold each one, directly or through a user group. Slack is asked only about the groups
// whose grants would cover what the user lacks, so a runbook anyone may start, or a user
// granted directly, costs no Slack call.
import type { RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { PermissionStore } from '../models/permission-store.js';
import type { GroupResolver, SlackUser } from './slack-actor.js';

export interface StartPermissionDeps {
  permissions: Pick<PermissionStore, 'missing' | 'groupsCovering'>;
  groups: GroupResolver;
}

/** Throws a `forbidden` AppError naming the runbook, what is missing and how to get it. */
export async function requireStartPermissions(runbook: RunbookSnapshot, user: SlackUser, deps: StartPermissionDeps): Promise<void> {
  const required = runbook.required_permissions;
  if (required.length === 0) return;
  let missing = await deps.permissions.missing(required, [user.id]);
  if (missing.length > 0) {
    const groups = await deps.groups.groupsOf(user.id, await deps.permissions.groupsCovering(missing));
    if (groups.length > 0) missing = await deps.permissions.missing(missing, [user.id, ...groups]);
  }
  if (missing.length === 0) return;
  throw new AppError(ErrorCode.Forbidden, permissionRefusal(runbook.name, user.id, missing), {
    details: { runbook_id: runbook.runbook_id, user: user.id, missing },
  });
}

/**
 * ``You need devices:execute to start “Disk Cleanup”. An admin can grant it with `runbook-bot …`.``
 * The command names the user by id, not as <@U…>: pasted into a shell, `<` would be a redirection.
 */
export function permissionRefusal(runbookName: string, userId: string, missing: readonly string[]): string {
  const them = missing.length === 1 ? 'it' : 'them';
  return `You need ${listed(missing)} to start “${runbookName}”. An admin can grant ${them} with \`runbook-bot permissions grant ${userId} ${missing.join(' ')}\`.`;
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
