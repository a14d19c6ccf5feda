// Applies configured rules, in order, to a message's whole text: the first rule whose regex
// matches makes one Alert from its captures. One alert per message: a script that posts a
// digest of several problems needs one rule per line shape, or a built-in recogniser.
import type { Alert, AlertStatus } from '../alert.js';
import type { AlertRule } from './alert-rule.js';
import { buildAlert } from './build-alert.js';
import { severityWord, stripPort, toLabels, typeFromName } from './normalize.js';

const RESOLVED_WORDS = new Set(['ok', 'resolved', 'recovered', 'recovery', 'up', 'clear', 'cleared', 'normal', 'fixed', 'good']);

/** A captured status word: the resolved-sounding ones resolve, anything else fires. */
export function statusWord(word: string | undefined): AlertStatus {
  return word !== undefined && RESOLVED_WORDS.has(word.trim().toLowerCase()) ? 'resolved' : 'firing';
}

function capture(match: RegExpExecArray, ref: string | number | undefined): string | undefined {
  if (ref === undefined) return undefined;
  const value = typeof ref === 'number' ? match[ref] : match.groups?.[ref];
  return value?.trim() || undefined;
}

function ruleAlert(rule: AlertRule, match: RegExpExecArray, text: string): Alert {
  const host = capture(match, rule.host_group);
  const named = Object.entries(match.groups ?? {}).flatMap(([name, value]): [string, string][] => (value?.trim() ? [[name, value.trim()]] : []));
  const labels = toLabels(host && !named.some(([name]) => name === 'host') ? [...named, ['host', host]] : named);
  const typeWord = capture(match, rule.type_group);
  const type = typeWord ? typeFromName(typeWord) : rule.type;
  const keyRefs = rule.key_groups ?? [];
  const keys = keyRefs.length > 0 ? keyRefs.map((ref): [string, string] => [String(ref), capture(match, ref) ?? '']) : [['host', host ?? ''] as [string, string]];
  const summary = match[0].trim().split('\n')[0] || text.split('\n')[0] || rule.name;
  return buildAlert({
    source: 'slack',
    recognizer: `rule:${rule.name}`,
    status: rule.status ?? statusWord(capture(match, rule.status_group)),
    labels,
    title: summary,
    type,
    severity: severityWord(capture(match, rule.severity_group)) ?? rule.severity,
    host: host ? stripPort(host) : null,
    // Captured numbers (97%) change between posts; only the key captures identify the alert.
    fingerprintLabels: toLabels([['type', type], ...keys]),
  });
}

export function recognizeByRules(text: string, rules: readonly AlertRule[]): Alert[] {
  if (text === '') return [];
  for (const rule of rules) {
    const match = rule.regex.exec(text);
    if (match) return [ruleAlert(rule, match, text)];
  }
  return [];
}
