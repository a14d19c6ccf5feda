// Free-form JSON fields (tool_input, metadata, verify.value). A walk instead of a recursive
// zod union: a union only says "invalid" at the top, the walk names the exact bad key.
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../types.js';

export const MAX_JSON_DEPTH = 32;

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

// Any key a JSON object can have is fine ("a.b", "$set": the store keeps user JSON as JSON
// text), except "__proto__", which would turn into a prototype the moment the value is copied.
function keyProblem(key: string): string | null {
  return key === '__proto__' ? 'object keys must not be "__proto__"' : null;
}

function walk(value: unknown, path: Path, depth: number, report: Report): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) report(path, `must be a finite number (got ${value})`);
    return;
  }
  if (depth >= MAX_JSON_DEPTH) {
    report(path, `must not nest deeper than ${MAX_JSON_DEPTH} levels`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, [...path, index], depth + 1, report));
    return;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const problem = keyProblem(key);
      if (problem) report([...path, key], problem);
      else walk(value[key], [...path, key], depth + 1, report);
    }
    return;
  }
  report(path, `must be a JSON value: null, true/false, number, string, list or object (got ${value === undefined ? 'nothing' : typeof value})`);
}

function check(root: 'any' | 'object') {
  return (value: unknown, ctx: z.RefinementCtx) => {
    const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    if (value === undefined) {
      report([], 'is required');
      return;
    }
    if (root === 'object' && !isPlainObject(value)) {
      report([], `must be an object (got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value})`);
      return;
    }
    walk(value, [], 0, report);
  };
}

// The copy keeps a source independent of its input and gives null-prototype objects a normal one.
export const JsonValueSource = z
  .unknown()
  .superRefine(check('any'))
  .transform((value) => structuredClone(value) as JsonValue);

export const JsonObjectSource = z
  .unknown()
  .superRefine(check('object'))
  .transform((value) => structuredClone(value) as JsonObject);
