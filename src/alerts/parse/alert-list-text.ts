// Reads the alert list a notification's text carries, so one message about several alerts
// becomes one Alert each. The shape is the one Alertmanager's `__text_alert_list` and
// Grafana's `default.message` both render (see the templates cited in subject-title.ts):
//   **Firing**                       (Grafana; "Alerts Firing:" in Alertmanager's opsgenie text)
//   Value: A=93.4, B=1               (Grafana only: starts an alert)
//   Labels:
//    - alertname = HighCPU
//   Annotations:
//    - summary = CPU above 90%
//   Source: https://...
// Bullet lines in the `• *name:* `value`` style of common hand-written Slack templates are
// read as labels too.
import type { AlertStatus } from '../alert.js';
import { toLabels, type Labels } from './normalize.js';

export interface ListedAlert {
  /** From the section heading; undefined when the text has none (the title then decides). */
  status: AlertStatus | undefined;
  labels: Labels;
  annotations: Labels;
}

interface Draft {
  status: AlertStatus | undefined;
  labels: [string, string][];
  annotations: [string, string][];
  mode: 'labels' | 'annotations' | 'none';
}

// Lines arrive trimmed; no `\s*` runs here, so a long line cannot make the regex backtrack.
const SECTION = /^\**(?:alerts )?(firing|resolved):?\**:?$/i;
const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const EQUALS_PAIR = new RegExp(`^[-•*]\\s+(${NAME})\\s+=\\s?(.*)$`);
const COLON_PAIR = new RegExp(`^[-•]\\s+\\*?(${NAME}):\\*?\\s+(.*)$`);

function pairOf(line: string): [string, string] | undefined {
  const match = EQUALS_PAIR.exec(line) ?? COLON_PAIR.exec(line);
  if (!match?.[1]) return undefined;
  const value = (match[2] ?? '').trim().replace(/^`([^`]*)`$/, '$1');
  return [match[1], value];
}

export function parseAlertList(text: string): ListedAlert[] {
  const drafts: Draft[] = [];
  let status: AlertStatus | undefined;
  const start = (mode: Draft['mode']): Draft => {
    const draft: Draft = { status, labels: [], annotations: [], mode };
    drafts.push(draft);
    return draft;
  };
  let current: Draft | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = SECTION.exec(line);
    if (section?.[1]) {
      status = section[1].toLowerCase() === 'firing' ? 'firing' : 'resolved';
      current = undefined;
    } else if (/^Value:/.test(line)) {
      current = start('none');
    } else if (/^Labels:$/.test(line)) {
      // Grafana's "Value:" already opened this alert; Alertmanager's list opens one here.
      if (current && current.labels.length === 0 && current.mode === 'none') current.mode = 'labels';
      else current = start('labels');
    } else if (/^Annotations:$/.test(line)) {
      current ??= start('annotations');
      current.mode = 'annotations';
    } else {
      const pair = pairOf(line);
      if (!pair) continue;
      current ??= start('labels');
      (current.mode === 'annotations' ? current.annotations : current.labels).push(pair);
    }
  }
  return drafts
    .filter((draft) => draft.labels.length > 0)
    .map((draft) => ({ status: draft.status, labels: toLabels(draft.labels), annotations: toLabels(draft.annotations) }));
}
