// Reading an alert against what the bot knows: the alert name and severity of a title-only
// Slack notification, and the device a playbook may act on. Pure; the service gathers the
// knowledge (published triggers, registered devices) and the mappings.
import type { Alert } from '../alert.js';
import { severityOf, stripPort } from '../parse/normalize.js';
import type { AlertKnowledge } from './knowledge.js';
import { isAddress, readTitle } from './read-title.js';
import { resolveTarget } from './target.js';

export { NO_KNOWLEDGE, type AlertKnowledge } from './knowledge.js';
export { looksLikeAlertName, readTitle, type TitleReading } from './read-title.js';
export { resolveTarget, senderFamily, type AlertTarget, type TargetMapping } from './target.js';

/**
 * The alert with its title read against `knowledge`, when it is known only by its title;
 * unchanged otherwise. The fingerprint never depends on the reading: the same group keeps
 * its card whatever the bot learns between two notifications.
 */
export function readAlert(alert: Alert, knowledge: AlertKnowledge): Alert {
  if (alert.title_values === null) return alert;
  const reading = readTitle(alert.title_values, knowledge);
  // What the title names as the machine, for display: the known device, else its one address.
  // What a playbook may act on is resolveTarget's to say, with the configured mappings.
  const device = resolveTarget({ ...alert, labels: {} }, knowledge).device;
  const addresses = [...alert.title_values.group, ...alert.title_values.common].filter(isAddress);
  const host = device ?? (addresses.length === 1 ? stripPort(addresses[0]!) : null);
  return {
    ...alert,
    type: reading.type,
    severity: severityOf(reading.labels),
    labels: reading.labels,
    host,
    inferred: reading.inferred,
  };
}
