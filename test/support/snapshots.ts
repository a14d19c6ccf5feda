// Runbook snapshots compiled from inline definitions, for shell tests that exercise runs
// rather than the runbook store (which has its own tests against the database).
import { compileRunbook, formatProblem, parseDefinition } from '../../src/engine/definition/index.js';
import type { RunbookSnapshot } from '../../src/engine/index.js';
import { AppError } from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import type { RunbookLookup } from '../../src/services/run-service.js';

export function compileSnapshot(definition: unknown, runbookId = newId('rnb')): RunbookSnapshot {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return { ...compileRunbook(parsed.source, () => newId('rbs')), runbook_id: runbookId, version: 1 };
}

/** A RunbookLookup over fixed definitions, found by name. */
export function snapshotLookup(definitions: unknown[]): RunbookLookup {
  const byName = new Map(definitions.map((d) => {
    const snapshot = compileSnapshot(d);
    return [snapshot.name, snapshot] as const;
  }));
  return {
    async snapshotForRun(name) {
      const snapshot = byName.get(name);
      if (!snapshot) throw new AppError('not_found', `runbook "${name}" not found`);
      return snapshot;
    },
  };
}
