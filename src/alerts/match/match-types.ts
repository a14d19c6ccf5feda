// The shapes matching works on. A candidate is a published snapshot (what `snapshotForRun`
// returns) plus the runbook's status, so the caller builds it with a spread and no extra reads:
// `{ ...snapshot, status: record.status }`.
import type { RunbookSnapshot } from '../../engine/types.js';
import type { RunbookStatus } from '../../models/runbook-model.js';

export type MatchCandidate = Pick<RunbookSnapshot, 'runbook_id' | 'name' | 'version' | 'scope' | 'trigger' | 'variables'> & {
  status: RunbookStatus;
};

/** What the alert itself does not say, resolved by the caller before matching. */
export interface MatchContext {
  /**
   * The Slack channel the alert was seen in. A webhook alert has none of its own: the caller
   * passes the channel it is configured to post to, or null, which then only matches
   * playbooks that list no channels.
   */
  channel: string | null;
  /** The device's tags from the device registry; null when the alert's host is not a known device. */
  deviceTags: string[] | null;
  /** The company the alert belongs to; null: only global playbooks are in scope. */
  company: string | null;
}

/**
 * Sort key of a match, compared field by field in this order (see compareMatches).
 * All matches share the exact type match, so "type" ranks by how specific the trigger is.
 */
export interface MatchScore {
  /** How many alert types the trigger lists: fewer is more specific, ranks higher. */
  type_count: number;
  /** How many of the trigger's device tags the device has: more ranks higher. */
  tags_matched: number;
  /** Index of min_severity in SEVERITIES (low 0 … critical 3), -1 without one: higher is closer to the alert. */
  severity_floor: number;
}

export interface PlaybookMatch {
  candidate: MatchCandidate;
  /** The trigger's auto_execute: start the run directly instead of suggesting it. */
  auto_execute: boolean;
  /** One line for the suggestion card, e.g. `type service_down · tags web · severity ≥ high`. */
  reason: string;
  score: MatchScore;
}
