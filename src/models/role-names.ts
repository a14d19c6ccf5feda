// Roles (who may do what) and the actions they allow. A role is granted everywhere (`operator`)
// or on one runbook (`operator@rnb_…`); an API key's scopes are the roles it was made with.
// Pure, so the CLI checks arguments with the rules the store and the access check apply.
import { isId } from '../ids.js';
import { AppError, ErrorCode } from '../errors.js';
import type { ApiScope } from './api-key-names.js';

export const ROLES = ['viewer', 'operator', 'approver', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a service method asks of its caller. */
export const ACTIONS = ['read', 'run', 'approve', 'author', 'publish', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

export const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  viewer: ['read'],
  operator: ['read', 'run'],
  approver: ['read', 'approve'],
  editor: ['read', 'author'],
  admin: ACTIONS,
};

/**
 * An API key's scopes as actions. `author` also publishes: reference 002's agents create
 * runbooks that run at once, and keys made before roles existed keep doing so.
 */
export const SCOPE_ACTIONS: Record<ApiScope, readonly Action[]> = {
  read: ['read'],
  run: ['run'],
  approve: ['approve'],
  author: ['author', 'publish'],
  admin: ACTIONS,
};

/** What people may do while no admin role is granted anywhere: run and approve, as before roles. */
export const OPEN_ACTIONS: readonly Action[] = ['read', 'run', 'approve'];

/** How a refusal names an action: "You may not <words>". */
export const ACTION_WORDS: Record<Action, string> = {
  read: 'see runbooks and runs',
  run: 'start or drive runs',
  approve: 'approve or reject steps',
  author: 'edit runbooks',
  publish: 'publish, archive or roll back runbooks',
  admin: 'manage permissions, API keys or delete runbooks',
};

export interface RoleGrant {
  role: Role;
  /** The runbook the role is held on; null: everywhere. */
  runbookId: string | null;
}

export const ROLE_FORMS = `${ROLES.join(', ')}, or one of them on one runbook as ROLE@RUNBOOK (its id, name or slug, such as operator@disk-cleanup)`;

export function isRoleText(value: string): boolean {
  const role = value.trim().split('@')[0] ?? '';
  return (ROLES as readonly string[]).includes(role);
}

/**
 * `operator` or `operator@RUNBOOK`. The runbook part is kept as written: the permissions
 * service resolves a name or slug to its id before a grant is stored.
 */
export function parseRoleText(value: string): { role: Role; runbook: string | null } {
  const text = value.trim();
  const at = text.indexOf('@');
  const role = at === -1 ? text : text.slice(0, at);
  const runbook = at === -1 ? null : text.slice(at + 1).trim();
  if (!(ROLES as readonly string[]).includes(role) || runbook === '') {
    throw new AppError(ErrorCode.Validation, `${JSON.stringify(value)} is not a role: use ${ROLE_FORMS}`, { details: { role: value } });
  }
  return { role: role as Role, runbook };
}

/** A role as stored: `operator` or `operator@rnb_…`. */
export function roleKey(grant: RoleGrant): string {
  return grant.runbookId === null ? grant.role : `${grant.role}@${grant.runbookId}`;
}

/** The stored form back; null for anything that is not one (never stored, but read defensively). */
export function parseRoleKey(key: string): RoleGrant | null {
  const [role, runbookId, ...rest] = key.split('@');
  if (rest.length > 0 || !(ROLES as readonly string[]).includes(role ?? '')) return null;
  if (runbookId !== undefined && !isId(runbookId, 'rnb')) return null;
  return { role: role as Role, runbookId: runbookId ?? null };
}

/** The roles allowing `action`, weakest first. */
export function rolesAllowing(action: Action): Role[] {
  return ROLES.filter((role) => ROLE_ACTIONS[role].includes(action));
}

/** The stored role keys that allow `action` everywhere, or on `runbookId` when given. */
export function roleKeysAllowing(action: Action, runbookId: string | null): string[] {
  const roles = rolesAllowing(action);
  return [...roles, ...(runbookId === null ? [] : roles.map((role) => roleKey({ role, runbookId })))];
}
