// Validation problems as `path: why` lines (`alerts[0].labels: must be an object (got a list)`),
// the form the webhook routes return in a 400 and the CLI prints. Messages come from the
// engine's friendly zod messages, so a bad alert and a bad runbook read alike.
import type { z } from 'zod';

import { DOCUMENT_PATH, formatPath } from '../../engine/definition/problems.js';
import { friendlyMessage } from '../../engine/definition/zod-issues.js';

/** A parse that either worked or says every reason it did not. */
export type ParseResult<T> = ({ ok: true } & T) | { ok: false; problems: string[] };

/** The zod error map for alert payloads: a missing field is "is required", whatever its type. */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const missing = issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  return missing ? 'is required' : friendlyMessage(issue);
}

function line(path: readonly PropertyKey[], message: string): string {
  const text = formatPath(path);
  return `${text === DOCUMENT_PATH ? '(body)' : text}: ${message}`;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => line([...issue.path, key], 'unknown field')) : [line(issue.path, issue.message)],
  );
}
