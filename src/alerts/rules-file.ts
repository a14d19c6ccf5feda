// ALERT_RULES_FILE: the regex rules for alerts no built-in recogniser reads (a home-grown
// script's "DISK ALERT on db-02: /var at 97%"), as a YAML or JSON list, checked at start so
// a bad rule stops the bot with its name and problem rather than missing alerts silently.
import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';

import { ConfigError } from '../errors.js';
import { parseAlertRules, type AlertRule } from './parse/index.js';

export async function loadAlertRules(path: string | undefined): Promise<AlertRule[]> {
  if (path === undefined) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`ALERT_RULES_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`ALERT_RULES_FILE: ${path} is not YAML or JSON: ${(error as Error).message}`]);
  }
  const parsed = parseAlertRules(raw ?? []);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((p) => `ALERT_RULES_FILE ${path}: ${p}`));
  return parsed.rules;
}
