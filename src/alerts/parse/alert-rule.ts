// A configured rule for alerts no built-in recogniser reads (home-grown scripts, other
// monitors): a regex on the message's whole text, and what the match means. Rules come from
// config or MongoDB, so they are checked here once, with the rule named in every complaint.
import { z } from 'zod';

import { ALERT_STATUSES, SEVERITIES } from '../alert.js';
import { formatIssues, issueMessage, type ParseResult } from './problems.js';

/** A capture group by name (`host`) or by position (`1`). */
const GroupRef = z.union([z.string().min(1).max(100), z.int().min(0).max(99)], {
  error: 'must be a group name or a group number',
});
type GroupRef = z.infer<typeof GroupRef>;

const GROUP_FIELDS = ['host_group', 'status_group', 'type_group', 'severity_group'] as const;

const AlertRuleFields = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Regex source (JavaScript syntax), matched against the message's whole text. */
  pattern: z.string().min(1).max(2000),
  /** `i` (ignore case), `m` (^ and $ per line), `s` (. matches newlines), `u`. */
  flags: z.string().regex(/^[imsu]*$/, 'may only hold the letters i, m, s and u').optional(),
  type: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, such as disk_full').max(100),
  severity: z.enum(SEVERITIES),
  /** Fixed status; else read from status_group; else firing. */
  status: z.enum(ALERT_STATUSES).optional(),
  host_group: GroupRef.optional(),
  status_group: GroupRef.optional(),
  type_group: GroupRef.optional(),
  severity_group: GroupRef.optional(),
  /** Captures that tell one alert from another (default: the host), for the fingerprint. */
  key_groups: z.array(GroupRef).max(10).optional(),
});

// The groups a regex defines, read by matching an always-matching variant on "".
function groupsOf(regex: RegExp): { names: Set<string>; count: number } {
  const probe = new RegExp(`(?:${regex.source})|`, regex.flags).exec('');
  return { names: new Set(Object.keys(probe?.groups ?? {})), count: (probe?.length ?? 1) - 1 };
}

function describeRef(ref: GroupRef, groups: { names: Set<string>; count: number }): string | undefined {
  if (typeof ref === 'number') return ref <= groups.count ? undefined : `group ${ref} does not exist (the pattern has ${groups.count})`;
  if (groups.names.has(ref)) return undefined;
  const known = [...groups.names].join(', ') || 'none';
  return `"${ref}" is not a named group of the pattern (named groups: ${known})`;
}

export const AlertRule = AlertRuleFields.transform((rule, ctx) => {
  let regex: RegExp;
  try {
    regex = new RegExp(rule.pattern, rule.flags ?? '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.issues.push({ code: 'custom', path: ['pattern'], input: rule.pattern, message: `rule "${rule.name}": not a valid regular expression (${reason})` });
    return z.NEVER;
  }
  const groups = groupsOf(regex);
  const refs: [PropertyKey[], GroupRef | undefined][] = [
    ...GROUP_FIELDS.map((field): [PropertyKey[], GroupRef | undefined] => [[field], rule[field]]),
    ...(rule.key_groups ?? []).map((ref, i): [PropertyKey[], GroupRef] => [['key_groups', i], ref]),
  ];
  for (const [path, ref] of refs) {
    const problem = ref === undefined ? undefined : describeRef(ref, groups);
    if (problem) ctx.issues.push({ code: 'custom', path, input: ref, message: `rule "${rule.name}": ${problem}` });
  }
  return { ...rule, regex };
});
/** A checked rule, its regex compiled. */
export type AlertRule = z.output<typeof AlertRule>;
/** A rule as written in config or stored in MongoDB. */
export type AlertRuleInput = z.input<typeof AlertRule>;

/** Checks a list of rules; every problem is `[index].field: rule "name": why`. */
export function parseAlertRules(input: unknown): ParseResult<{ rules: AlertRule[] }> {
  const parsed = z.array(AlertRule).safeParse(input, { error: issueMessage });
  return parsed.success ? { ok: true, rules: parsed.data } : { ok: false, problems: formatIssues(parsed.error.issues) };
}
