// The `__subject` title Alertmanager and Grafana both put on a notification
// (prometheus/alertmanager template/default.tmpl; grafana/alerting templates/default_template.go):
//   [{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
//   {{ .GroupLabels.SortedPairs.Values | join " " }} ({{ CommonLabels not grouped on, values only }})
// Grafana adds `, RESOLVED:n` inside the brackets when a firing group has resolved alerts too.
import type { AlertStatus } from '../alert.js';
import { severityWord, stripPort, toLabels, type Labels } from './normalize.js';

export interface SubjectTitle {
  status: AlertStatus;
  /** Group label values, sorted by label name (label names are not in the title). */
  groupValues: string[];
  /** Values of the labels common to every alert but not grouped on: the part in parentheses. */
  commonValues: string[];
  /** The title without its status: the same for the firing and the resolved notification. */
  rest: string;
}

const SUBJECT = /^\[(FIRING|RESOLVED)(?::\d+)?(?:, RESOLVED:\d+)?\]([^]*)$/;

export function parseSubjectTitle(title: string | undefined): SubjectTitle | undefined {
  const match = SUBJECT.exec(title?.trim() ?? '');
  if (!match) return undefined;
  const rest = (match[2] ?? '').trim().replace(/\s+/g, ' ');
  if (rest === '') return undefined;
  // Values may hold spaces, so the split is a best reading; `rest` keeps the exact text.
  const open = rest.startsWith('(') ? 0 : rest.indexOf(' (');
  const hasCommon = open >= 0 && rest.endsWith(')');
  const group = hasCommon ? rest.slice(0, open) : rest;
  const common = hasCommon ? rest.slice(open).trim().slice(1, -1) : '';
  return {
    status: match[1] === 'FIRING' ? 'firing' : 'resolved',
    groupValues: words(group),
    commonValues: words(common),
    rest,
  };
}

function words(text: string): string[] {
  return text.split(' ').filter((word) => word !== '');
}

const HOST_PORT = /^(\[[^\]]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$/;

/**
 * The labels a title lets us infer, for a group whose alerts the message does not list:
 * `alertname` is the first value (the usual `group_by: [alertname, ...]`, and labels sort
 * `alertname` early when grouping on all), `severity` a value that is a severity word, and
 * `instance` the one value shaped like host:port. Anything else stays only in the text.
 */
export function inferredLabels(subject: SubjectTitle): Labels {
  const values = [...subject.groupValues, ...subject.commonValues];
  const entries: [string, string][] = [];
  if (values[0] !== undefined) entries.push(['alertname', values[0]]);
  const severity = values.slice(1).find((value) => severityWord(value) !== undefined);
  if (severity !== undefined) entries.push(['severity', severity]);
  const hosts = values.slice(1).filter((value) => HOST_PORT.test(value));
  if (hosts.length === 1 && hosts[0] !== undefined && stripPort(hosts[0]) !== '') entries.push(['instance', hosts[0]]);
  return toLabels(entries);
}
