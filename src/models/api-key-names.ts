// What an API key may be called and what it may do. Pure, so the CLI checks arguments with
// the same rules the store applies, and the permission names can accept `apikey:NAME`.
import { AppError, ErrorCode } from '../errors.js';

/** In order of reach; parseScopes sorts into this order. */
export const API_SCOPES = ['read', 'run', 'author', 'approve', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Lower case so `apikey:NAME` reads the same in grants, lists and logs. */
export const KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const KEY_NAME_RULE = '1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit';

const ALLOWED = API_SCOPES.join(', ');

export function isKeyName(value: string): boolean {
  return KEY_NAME_PATTERN.test(value);
}

/** The name as stored; throws a validation error naming the value and the rule otherwise. */
export function parseKeyName(name: string): string {
  const text = name.trim();
  if (isKeyName(text)) return text;
  throw new AppError(ErrorCode.Validation, `${JSON.stringify(name)} is not an API key name: use ${KEY_NAME_RULE}`, { details: { name } });
}

/** `read,run` (or several such) → the scopes, without duplicates, in API_SCOPES order. */
export function parseScopes(text: string | readonly string[]): ApiScope[] {
  const parts = (typeof text === 'string' ? [text] : text)
    .flatMap((part) => part.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new AppError(ErrorCode.Validation, `name at least one scope: ${ALLOWED}`);
  const unknown = parts.filter((part) => !(API_SCOPES as readonly string[]).includes(part));
  if (unknown.length > 0) {
    const named = unknown.map((part) => JSON.stringify(part)).join(', ');
    throw new AppError(ErrorCode.Validation, `${named} ${unknown.length === 1 ? 'is not a scope' : 'are not scopes'}: use ${ALLOWED}`, {
      details: { scopes: unknown },
    });
  }
  return API_SCOPES.filter((scope) => parts.includes(scope));
}
