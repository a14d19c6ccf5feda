// Placeholders: runbooks write `{var}` (reference 002), playbooks write `{{var}}`
// (reference 001); both forms work everywhere so imported definitions need no rewrite.
import type { JsonValue } from '../types.js';

const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}|\{([A-Za-z0-9_]+)\}/g;

/** One pass, so a value that itself contains `{x}` is never expanded again. */
export function resolvePlaceholders(text: string, vars: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (written, doubled: string | undefined, single: string | undefined) => {
    const name = doubled ?? single ?? '';
    // hasOwn: a name like "constructor" must not pick up Object.prototype.
    return Object.hasOwn(vars, name) ? String(vars[name]) : written;
  });
}

/** Substitutes inside every string of a JSON value; object keys are left as written. */
export function resolveJson(value: JsonValue, vars: Record<string, string>): JsonValue {
  if (typeof value === 'string') return resolvePlaceholders(value, vars);
  if (Array.isArray(value)) return value.map((item) => resolveJson(item, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveJson(item, vars)]));
  }
  return value;
}
