// Definitions and actors for the runbook store tests.
import { formatProblem, parseDefinition, type RunbookSource } from '../../../src/engine/definition/index.js';
import type { Actor } from '../../../src/engine/types.js';
import { AppError } from '../../../src/errors.js';

export const alice: Actor = { kind: 'slack', id: 'U0ALICE', name: 'alice', groups: ['S0OPS'] };
export const bob: Actor = { kind: 'cli', id: 'bob' };

/** A validated source: the deploy runbook of DESIGN §2 (trimmed), with `overrides` on top. */
export function deploy(overrides: Record<string, unknown> = {}): RunbookSource {
  return source({
    name: 'Deploy to Production',
    description: 'Standard deployment.',
    category: 'deployment',
    tags: ['production', 'release'],
    steps: [
      { label: 'Pull latest code', instruction: 'Pull {version}.' },
      { label: 'Run test suite', type: 'check', ref: 'tests', next_on_outcome: { pass: 'step:deploy', fail: 'step:fix' } },
      { label: 'Fix failures', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
      { label: 'Deploy', ref: 'deploy', instruction: 'Deploy {version}.' },
    ],
    ...overrides,
  });
}

export function source(definition: Record<string, unknown>): RunbookSource {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return parsed.source;
}

/** The AppError a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof AppError)) throw new Error(`expected an AppError, got ${String(outcome)}`);
  return outcome;
}

/** A clock that moves one second per reading, so every write has its own time. */
export function createTestClock(start = Date.UTC(2026, 10, 22, 12, 0, 0)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

/** The same value with every object's keys in reverse order. */
export function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}
