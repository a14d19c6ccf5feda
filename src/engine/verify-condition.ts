import type { JsonValue, VerifyCondition } from './types.js';

export interface VerifyOutcome {
  passed: boolean;
  actual: JsonValue | undefined;
  /** Human-readable account, e.g. `disk_usage_percent = 94.2, expected lt 90`. */
  explanation: string;
}

/** Reads a dotted path (`disk.usage_percent`, `items.0.name`) from a tool output. */
export function readMetric(output: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = output;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(part)] : current[part];
  }
  return current;
}

function asNumber(value: JsonValue | undefined): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function jsonEquals(a: JsonValue | undefined, b: JsonValue): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null && typeof a !== typeof b) return na === nb;
  return JSON.stringify(a) === JSON.stringify(b);
}

function contains(haystack: JsonValue | undefined, needle: JsonValue): boolean {
  if (typeof haystack === 'string') return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((item) => jsonEquals(item, needle));
  if (haystack !== null && typeof haystack === 'object' && typeof needle === 'string') return needle in haystack;
  return false;
}

export function evaluateVerify(condition: VerifyCondition, output: JsonValue): VerifyOutcome {
  const actual = readMetric(output, condition.metric);
  const shown = actual === undefined ? 'missing' : JSON.stringify(actual);
  const explanation = `${condition.metric} = ${shown}, expected ${condition.operator} ${JSON.stringify(condition.value)}`;
  if (actual === undefined) return { passed: false, actual, explanation };
  let passed: boolean;
  switch (condition.operator) {
    case 'lt':
    case 'gt': {
      const a = asNumber(actual);
      const b = asNumber(condition.value);
      passed = a !== null && b !== null && (condition.operator === 'lt' ? a < b : a > b);
      break;
    }
    case 'eq':
      passed = jsonEquals(actual, condition.value);
      break;
    case 'ne':
      passed = !jsonEquals(actual, condition.value);
      break;
    case 'contains':
      passed = contains(actual, condition.value);
      break;
  }
  return { passed, actual, explanation };
}
