// Which published playbooks an alert may start or suggest (DESIGN §2 `trigger`, reference 001
// "Trigger conditions"), best first. Pure: everything the alert does not carry (channel,
// device tags, company) comes in through the context.
import type { Alert } from '../alert.js';
import type { Scope, Severity, Trigger } from '../../engine/types.js';
import { compareMatches, severityRank } from './match-ranking.js';
import type { MatchCandidate, MatchContext, PlaybookMatch } from './match-types.js';

export function matchPlaybooks(alert: Alert, candidates: readonly MatchCandidate[], ctx: MatchContext): PlaybookMatch[] {
  // Triggers react to an alert firing; a resolved one closes its card (by fingerprint) and
  // must never start a run, even when the caller forgets to check.
  if (alert.status !== 'firing') return [];
  const matches: PlaybookMatch[] = [];
  for (const candidate of candidates) {
    const match = matchOne(alert, candidate, ctx);
    if (match !== null) matches.push(match);
  }
  return matches.sort(compareMatches);
}

function matchOne(alert: Alert, candidate: MatchCandidate, ctx: MatchContext): PlaybookMatch | null {
  const { trigger } = candidate;
  // Only published runbooks start runs (DESIGN §3); a runbook without a trigger is run by hand only.
  if (candidate.status !== 'published' || trigger === null) return null;
  if (!inScope(candidate.scope, ctx.company)) return null;
  // An empty alert_types matches nothing: a trigger that named no alert type would otherwise
  // answer every alert, and a playbook with auto_execute would then run on any noise.
  if (!trigger.alert_types.some((type) => sameKey(type, alert.type))) return null;
  if (!meetsFloor(alert.severity, trigger.min_severity)) return null;
  if (!channelAllowed(trigger.channels, ctx.channel)) return null;
  const tags = sharedTags(trigger.device_tags, ctx.deviceTags);
  // A playbook written for tagged devices must not run on a device we cannot vouch for.
  if (trigger.device_tags.length > 0 && tags.length === 0) return null;
  return {
    candidate,
    auto_execute: trigger.auto_execute,
    reason: describeMatch(alert.type, tags, trigger),
    score: {
      type_count: trigger.alert_types.length,
      tags_matched: tags.length,
      severity_floor: trigger.min_severity === null ? -1 : severityRank(trigger.min_severity),
    },
  };
}

function inScope(scope: Scope, company: string | null): boolean {
  return scope.type === 'global' || (company !== null && scope.company === company);
}

function meetsFloor(severity: Severity, floor: Severity | null): boolean {
  return floor === null || severityRank(severity) >= severityRank(floor);
}

// Channels are Slack ids, compared exactly. No channel (a webhook with none configured)
// passes only playbooks that watch every channel.
function channelAllowed(channels: readonly string[], channel: string | null): boolean {
  return channels.length === 0 || (channel !== null && channels.includes(channel));
}

// Types and tags are typed by people on both sides (definitions, the device registry,
// recogniser rules): case and surrounding spaces are not worth a missed match.
function sameKey(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The trigger's tags (as the trigger spells them) that the device has; none when the device is unknown. */
function sharedTags(wanted: readonly string[], deviceTags: readonly string[] | null): string[] {
  if (deviceTags === null) return [];
  const shared = wanted.filter((tag) => deviceTags.some((own) => sameKey(own, tag)));
  return shared.filter((tag, i) => shared.findIndex((other) => sameKey(other, tag)) === i);
}

function describeMatch(type: string, tags: string[], trigger: Trigger): string {
  const parts = [`type ${type}`];
  if (tags.length > 0) parts.push(`tags ${tags.join(', ')}`);
  if (trigger.min_severity !== null) parts.push(`severity ≥ ${trigger.min_severity}`);
  return parts.join(' · ');
}
