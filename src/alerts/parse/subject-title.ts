// The `__subject` title Alertmanager and Grafana both put on a notification
// (prometheus/alertmanager template/default.tmpl; grafana/alerting templates/default_template.go):
//   [{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
//   {{ .GroupLabels.SortedPairs.Values | join " " }} ({{ CommonLabels not grouped on, values only }})
// Grafana adds `, RESOLVED:n` inside the brackets when a firing group has resolved alerts too.
// SortedPairs puts `alertname` first and sorts the other names, so when the alert name is in
// a part at all it is that part's first value.
import type { AlertStatus, TitleValues } from '../alert.js';

export interface SubjectTitle extends TitleValues {
  status: AlertStatus;
  /** The group part as written: the same in every notification of the group, however it shrinks. */
  groupText: string;
  /** The title without its status. */
  rest: string;
}

const SUBJECT = /^\[(FIRING|RESOLVED)(?::\d+)?(?:, RESOLVED:\d+)?\]([^]*)$/;

export function parseSubjectTitle(title: string | undefined): SubjectTitle | undefined {
  const match = SUBJECT.exec(title?.trim() ?? '');
  if (!match) return undefined;
  const rest = (match[2] ?? '').trim().replace(/\s+/g, ' ');
  if (rest === '') return undefined;
  const open = commonPartStart(rest);
  const groupText = (open < 0 ? rest : rest.slice(0, open)).trim();
  const common = open < 0 ? '' : rest.slice(open + 1, -1);
  return { status: match[1] === 'FIRING' ? 'firing' : 'resolved', group: words(groupText), common: words(common), groupText, rest };
}

/**
 * Where the parenthesised common part starts, or -1: the `(` matching the title's last `)`,
 * at the start or after a space, so a value holding parentheses stays in its part.
 */
function commonPartStart(rest: string): number {
  if (!rest.endsWith(')')) return -1;
  let depth = 0;
  for (let i = rest.length - 1; i >= 0; i -= 1) {
    if (rest[i] === ')') depth += 1;
    else if (rest[i] === '(') depth -= 1;
    if (depth === 0) return i === 0 || rest[i - 1] === ' ' ? i : -1;
  }
  return -1;
}

// Values may hold spaces, so a value is not always a word: readTitle tries runs of words.
function words(text: string): string[] {
  return text.split(' ').filter((word) => word !== '');
}
