// Ranking matches (issue 5: "type, then tags, then severity"). The order is total, so the
// same alert and candidates always give the same list whatever order the store returned.
import { SEVERITIES, type Severity } from '../../engine/types.js';
import type { MatchCandidate, PlaybookMatch } from './match-types.js';

/** low 0, medium 1, high 2, critical 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function compareText(a: string, b: string): number {
  // Code-unit order, not localeCompare: the result must not depend on the server's locale.
  return a < b ? -1 : a > b ? 1 : 0;
}

// A company's own playbook before a global one of the same name, as runbook lookup does.
function scopeOrder(candidate: MatchCandidate): number {
  return candidate.scope.type === 'company' ? 0 : 1;
}

/** Best match first: specific type, then more shared tags, then the closest severity floor, then name. */
export function compareMatches(a: PlaybookMatch, b: PlaybookMatch): number {
  return (
    a.score.type_count - b.score.type_count ||
    b.score.tags_matched - a.score.tags_matched ||
    b.score.severity_floor - a.score.severity_floor ||
    compareText(a.candidate.name.toLowerCase(), b.candidate.name.toLowerCase()) ||
    scopeOrder(a.candidate) - scopeOrder(b.candidate) ||
    compareText(a.candidate.runbook_id, b.candidate.runbook_id) ||
    a.candidate.version - b.candidate.version
  );
}
