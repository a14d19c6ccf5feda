export { matchPlaybooks } from './match-playbooks.js';
export { compareMatches, severityRank } from './match-ranking.js';
export { variablesFromAlert, VARIABLE_ALIASES, type AlertVariables } from './alert-variables.js';
export type { MatchCandidate, MatchContext, MatchScore, PlaybookMatch } from './match-types.js';
