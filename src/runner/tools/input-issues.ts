// Zod issues as one line each, `path: problem`, for whoever wrote the bad value: the runner's
// admin (its config file) or a runbook author (a step's tool_input). Messages a schema sets
// itself win over these.
import type { z } from 'zod';

import { formatPath } from '../../engine/definition/problems.js';
import { EXPECTED } from '../../engine/definition/zod-issues.js';

type RawIssue = z.core.$ZodRawIssue;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A per-parse error map: `schema.safeParse(value, { error: issueMessage })`. */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected} (got ${show(issue.input)})`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${show(issue.values[0])} (got ${show(issue.input)})`
        : `expected one of ${issue.values.join(', ')} (got ${show(issue.input)})`;
    case 'too_big':
    case 'too_small': {
      const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      const word = issue.code === 'too_big' ? 'at most' : 'at least';
      if (issue.origin === 'array' || issue.origin === 'string') {
        if (issue.code === 'too_small' && limit === 1) return 'must not be empty';
        return `must have ${word} ${limit} ${issue.origin === 'array' ? 'items' : 'characters'}`;
      }
      return `must be ${word} ${limit} (got ${show(issue.input)})`;
    }
    default:
      return undefined;
  }
}

/** One line per problem; `root` prefixes every path (`input` gives `input.mode: ...`). */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root?: string): string[] {
  return issues.flatMap((issue) => {
    const at = (path: readonly PropertyKey[]) => formatPath(root === undefined ? path : [root, ...path]);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${at([...issue.path, key])}: unknown field`);
    if (issue.code === 'invalid_key') return [`${at(issue.path)}: ${issue.issues[0]?.message ?? issue.message}`];
    return [`${at(issue.path)}: ${issue.message}`];
  });
}
