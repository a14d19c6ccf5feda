// Turns zod issues into problems an author can act on: name the limit, the allowed values or
// the unknown key. Messages set on a schema (patterns, cross-field rules) win over these.
import type { z } from 'zod';
import { KNOWN_KEYS } from './schema.js';
import { problem, type DefinitionProblem } from './problems.js';

type RawIssue = z.core.$ZodRawIssue;

/** How a type zod expected reads in a message: `must be a whole number`. */
export const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

// List nouns for "must have at most 100 steps"; the last path key names the list.
const NOUNS: Record<string, [string, string]> = {
  steps: ['step', 'steps'],
  tags: ['tag', 'tags'],
  variables: ['variable', 'variables'],
  approvers: ['approver', 'approvers'],
  required_permissions: ['permission', 'permissions'],
  alert_types: ['alert type', 'alert types'],
  device_tags: ['device tag', 'device tags'],
  channels: ['channel', 'channels'],
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return String(value);
  return typeof value === 'string' || typeof value === 'number' ? `${typeof value} ${show(value)}` : typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function sizeOf(value: unknown): string {
  if (typeof value === 'string' || Array.isArray(value)) return String(value.length);
  return show(value);
}

function noun(path: readonly PropertyKey[], count: number): string {
  const last = [...path].reverse().find((part) => typeof part === 'string');
  const pair = NOUNS[String(last)] ?? ['item', 'items'];
  return count === 1 ? pair[0] : pair[1];
}

function bound(issue: RawIssue & { code: 'too_big' | 'too_small' }, limit: number): string {
  const word = issue.code === 'too_big' ? 'at most' : 'at least';
  const got = `(got ${sizeOf(issue.input)})`;
  switch (issue.origin) {
    case 'string':
      if (issue.code === 'too_small' && limit === 1) return 'must not be empty';
      return `must be ${word} ${limit} characters ${got}`;
    case 'array':
      return `must have ${word} ${limit} ${noun(issue.path ?? [], limit)} ${got}`;
    default:
      return `must be ${word} ${limit} ${got}`;
  }
}

// YAML reads `instruction: {version}` as the object {version: null}.
function braceHint(issue: RawIssue & { code: 'invalid_type' }): string {
  const input = issue.input;
  const looksLikePlaceholder = typeof input === 'object' && input !== null && !Array.isArray(input) && Object.values(input).every((v) => v === null);
  return issue.expected === 'string' && looksLikePlaceholder ? '; in YAML, quote text that starts with "{"' : '';
}

/** A zod error map: friendlier defaults for the issue kinds a definition author meets. */
export function friendlyMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${kindOf(issue.input)})${braceHint(issue)}`;
    case 'too_big':
      return bound(issue, Number(issue.maximum));
    case 'too_small':
      return bound(issue, Number(issue.minimum));
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])} (got ${show(issue.input)})`
        : `must be one of ${issue.values.join(', ')} (got ${show(issue.input)})`;
    case 'invalid_format':
      return issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

function unknownKey(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const hint = snake !== key && KNOWN_KEYS.has(snake) ? ` (did you mean "${snake}"?)` : '';
  return `unknown key "${key}"${hint}`;
}

export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): DefinitionProblem[] {
  return issues.flatMap((issue): DefinitionProblem[] => {
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => problem([...issue.path, key], unknownKey(key)));
      case 'invalid_key':
        // The record names the key in the path; the key schema's own message says why.
        return [problem(issue.path, issue.issues[0]?.message ?? issue.message)];
      default:
        return [problem(issue.path, issue.message)];
    }
  });
}
