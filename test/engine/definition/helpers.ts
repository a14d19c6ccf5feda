import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { formatProblem, parseDefinition, type DefinitionProblem, type RunbookSource } from '../../../src/engine/definition/index.js';

const FIXTURES = new URL('../../fixtures/definitions/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** The smallest valid definition, with `extra` merged over it. */
export function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Minimal', steps: [{ label: 'Only step' }], ...extra };
}

/** A definition whose single step has `fields` merged over a label. */
export function oneStep(fields: Record<string, unknown>): Record<string, unknown> {
  return minimal({ steps: [{ label: 'Step', ...fields }] });
}

export function problemsOf(input: unknown): DefinitionProblem[] {
  const result = parseDefinition(input);
  return result.ok ? [] : result.problems;
}

export function linesOf(input: unknown): string[] {
  return problemsOf(input).map(formatProblem);
}

export function sourceOf(input: unknown): RunbookSource {
  const result = parseDefinition(input);
  if (!result.ok) expect.fail(result.problems.map(formatProblem).join('\n'));
  return result.source;
}

export const text = (length: number, char = 'a'): string => char.repeat(length);
