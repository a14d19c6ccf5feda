// What the bot knows that an alert may be read against: the alert types its published
// playbooks trigger on and the devices it has registered. A Slack title carries label values
// without their names, so these decide which value is the alert and which the machine.
import { snakeCase, typeFromName } from '../parse/normalize.js';

export interface AlertKnowledge {
  /** The `alert_types` of published playbooks' triggers, as written. */
  alertTypes: readonly string[];
  /** Ids of the registered devices. */
  devices: ReadonlySet<string>;
}

export const NO_KNOWLEDGE: AlertKnowledge = { alertTypes: [], devices: new Set() };

const key = (text: string) => text.trim().toLowerCase();

/** The known types, spelled as knownTypeOf compares them. */
export const knownTypes = (knowledge: AlertKnowledge): ReadonlySet<string> => new Set(knowledge.alertTypes.map(key));

/** The known type a name reads as (through the type table, or spelled out), or null. */
export function knownTypeOf(name: string, known: ReadonlySet<string>): string | null {
  for (const type of [typeFromName(name), snakeCase(name)]) if (type !== '' && known.has(key(type))) return type;
  return null;
}
