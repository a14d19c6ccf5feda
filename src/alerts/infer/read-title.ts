// Type and severity of a notification known only by its title (Alertmanager's default Slack
// message): `[FIRING:1] shop (KubePodCrashLooping web 10.244.1.7:8080 … warning)` names label
// values, never label names. The alert name, when the title holds it, starts the group part
// (grouped on alertname) or the common part (not grouped on it): SortedPairs puts alertname
// first in both. A name may hold spaces (`ICMP ping failed`), so runs of words from those two
// starts are tried against the types published playbooks trigger on (shortest first); failing that, the first
// value shaped like an alert name is taken. Every line of `inferred` says what was decided
// from what, for the card.
import type { TitleValues } from '../alert.js';
import { severityWord, typeFromName, type Labels } from '../parse/normalize.js';
import { knownTypeOf, knownTypes, type AlertKnowledge } from './knowledge.js';

export interface TitleReading {
  /** The values taken as the alert name and severity, as labels (only those read). */
  labels: Labels;
  type: string;
  inferred: string[];
}

/** Longest alert name tried, in words. */
const MAX_NAME_WORDS = 6;
const ADDRESS = /^(\[[^\]]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$|^\d{1,3}(\.\d{1,3}){3}$|^[a-z][a-z0-9+.-]*:\/\//i;

export const isAddress = (value: string): boolean => ADDRESS.test(value);

/**
 * Prometheus names alerts in CamelCase (`InstanceDown`), scripts often in snake_case; label
 * values such as namespaces, jobs and pods are lower-case words with dashes.
 */
export function looksLikeAlertName(value: string): boolean {
  return /[A-Za-z]/.test(value) && /[A-Z_]/.test(value) && !isAddress(value) && severityWord(value) === undefined;
}

interface Candidate {
  text: string;
  words: number;
  part: 'group' | 'common';
}

// Names with spaces are sentences of plain words (`ICMP ping failed`, `Disk almost full`);
// a CamelCase name never has a space, and a value with digits, dashes or dots is a label
// value. So only a plain first word is read on, and only over plain words: otherwise
// `KubePodCrashLooping memory` (a container called memory) would read as high_memory.
const PLAIN_WORD = /^(?:[A-Za-z][a-z]*|[A-Z]+)$/;

function* nameCandidates(values: TitleValues): Generator<Candidate> {
  for (const part of ['group', 'common'] as const) {
    const words = values[part];
    const first = words[0];
    if (first === undefined) continue;
    yield { text: first, words: 1, part };
    if (!PLAIN_WORD.test(first)) continue;
    for (let n = 2; n <= Math.min(MAX_NAME_WORDS, words.length); n += 1) {
      const word = words[n - 1]!;
      if (!/^[A-Za-z]+$/.test(word) || severityWord(word) !== undefined) break;
      yield { text: words.slice(0, n).join(' '), words: n, part };
    }
  }
}

const quoted = (text: string) => `“${text.length > 60 ? `${text.slice(0, 59)}…` : text}”`;

function nameOf(values: TitleValues, knowledge: AlertKnowledge): { name: string | null; type: string; why: string; used: Candidate | null } {
  const known = knownTypes(knowledge);
  for (const candidate of nameCandidates(values)) {
    const type = knownTypeOf(candidate.text, known);
    if (type !== null) return { name: candidate.text, type, why: `type ${type}: the title value ${quoted(candidate.text)} is an alert type a published playbook triggers on`, used: candidate };
  }
  for (const part of ['group', 'common'] as const) {
    const first = values[part][0];
    if (first !== undefined && looksLikeAlertName(first)) {
      const type = typeFromName(first);
      return { name: first, type, why: `type ${type}: read from the title value ${quoted(first)}, the one shaped like an alert name (a Slack title carries label values, not their names)`, used: { text: first, words: 1, part } };
    }
  }
  const all = [...values.group, ...values.common];
  const shown = all.length === 0 ? 'it has no values' : `its values: ${quoted(all.join(' '))}`;
  return { name: null, type: 'unknown', why: `type unknown: nothing in the title names the alert (${shown})`, used: null };
}

export function readTitle(values: TitleValues, knowledge: AlertKnowledge): TitleReading {
  const { name, type, why, used } = nameOf(values, knowledge);
  // The name's own words are not candidates for the severity (`Error budget burn`).
  const rest = [...values.group.slice(used?.part === 'group' ? used.words : 0), ...values.common.slice(used?.part === 'common' ? used.words : 0)];
  const severity = rest.find((value) => severityWord(value) !== undefined);
  const labels: Labels = {};
  if (name !== null) labels.alertname = name;
  if (severity !== undefined) labels.severity = severity;
  const inferred = [why, severity === undefined ? 'severity medium: the title names none' : `severity ${severityWord(severity)}: from the title value ${quoted(severity)}`];
  return { labels, type, inferred };
}
