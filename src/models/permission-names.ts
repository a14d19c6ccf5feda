// What may be granted to whom: subjects are Slack users (U…, W…) and user groups (S…), given
// as ids or as the mentions Slack writes (<@U123|name>, <!subteam^S123|@name>), and API keys
// as `apikey:NAME`; permissions are a definition's `resource:action` (DESIGN §2), or
// `resource:*` and `*` as wildcards.
import { LIMITS, PERMISSION_PATTERN } from '../engine/definition/index.js';
import { AppError, ErrorCode } from '../errors.js';
import { isKeyName } from './api-key-names.js';
import { isRoleText, parseRoleText, ROLE_FORMS, type Role } from './role-names.js';

export type SubjectKind = 'user' | 'group' | 'apikey';
export const SUBJECT_KINDS = ['user', 'group', 'apikey'] as const satisfies readonly SubjectKind[];

export interface Subject {
  id: string;
  kind: SubjectKind;
}

/** Every permission. */
export const ALL_PERMISSIONS = '*';

const USER_ID = /^[UW][A-Z0-9]+$/;
const GROUP_ID = /^S[A-Z0-9]+$/;
const USER_MENTION = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/;
const GROUP_MENTION = /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/;
const API_KEY_SUBJECT = 'apikey:';

export const SUBJECT_FORMS = 'a user id (U… or W…), a user group id (S…), a mention such as <@U123> or <!subteam^S123>, or apikey:NAME';
export const PERMISSION_FORMS = 'resource:action (such as devices:execute), resource:* or *';

/** The subject a Slack id or mention names; throws a validation error naming the value otherwise. */
export function parseSubject(value: string): Subject {
  const text = value.trim();
  // The whole text is the id, so an API key's grants can never be mistaken for a Slack id's.
  if (text.startsWith(API_KEY_SUBJECT) && isKeyName(text.slice(API_KEY_SUBJECT.length))) return { id: text, kind: 'apikey' };
  const id = USER_MENTION.exec(text)?.[1] ?? GROUP_MENTION.exec(text)?.[1] ?? text;
  // A mention's kind must match its id: <@S123> is not a user.
  const isGroupMention = text.startsWith('<!subteam^');
  const isUserMention = text.startsWith('<@');
  if (id.length <= LIMITS.slackId && USER_ID.test(id) && !isGroupMention) return { id, kind: 'user' };
  if (id.length <= LIMITS.slackId && GROUP_ID.test(id) && !isUserMention) return { id, kind: 'group' };
  throw new AppError(ErrorCode.Validation, `${JSON.stringify(value)} is not a Slack user, user group or API key: use ${SUBJECT_FORMS}`, {
    details: { subject: value },
  });
}

/** The permission as stored; throws a validation error naming the value when it is not one. */
export function parsePermission(value: string): string {
  const text = value.trim();
  if (text === ALL_PERMISSIONS) return text;
  const action = text.slice(text.indexOf(':') + 1);
  const wellFormed = text.length <= LIMITS.permission && PERMISSION_PATTERN.test(text);
  // `devices:ex*` would match nothing as a wildcard; a * stands for a whole action or for all.
  if (wellFormed && (action === '*' || !action.includes('*'))) return text;
  throw new AppError(ErrorCode.Validation, `${JSON.stringify(value)} is not a permission: use ${PERMISSION_FORMS}`, {
    details: { permission: value },
  });
}

/** A role as written (`operator`, `operator@RUNBOOK`) or a permission; throws naming both forms otherwise. */
export function parseGrantable(value: string): { role: Role; runbook: string | null } | string {
  if (isRoleText(value)) return parseRoleText(value);
  try {
    return parsePermission(value);
  } catch {
    throw new AppError(ErrorCode.Validation, `${JSON.stringify(value)} is neither a role nor a permission: use a role (${ROLE_FORMS}) or a permission (${PERMISSION_FORMS})`, {
      details: { grant: value },
    });
  }
}

/** True when a grant of `granted` lets its holder do `required`. */
export function covers(granted: string, required: string): boolean {
  if (granted === ALL_PERMISSIONS || granted === required) return true;
  if (!granted.endsWith(':*')) return false;
  return required.startsWith(granted.slice(0, -1));
}

/** The grants that would cover `required`: itself, its resource's wildcard and `*`. */
export function grantsCovering(required: string): string[] {
  const colon = required.indexOf(':');
  const resourceWildcard = colon === -1 ? [] : [`${required.slice(0, colon)}:*`];
  return [...new Set([required, ...resourceWildcard, ALL_PERMISSIONS])];
}

/** Sorted and without duplicates, as stored and listed. */
export function sortedPermissions(permissions: Iterable<string>): string[] {
  return [...new Set(permissions)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
