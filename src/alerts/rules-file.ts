// ALERT_RULES_FILE: how channel messages become alerts, checked at start so a mistake stops
// the bot with its path and problem rather than missing alerts silently. Either a list of
// regex rules (for alerts no built-in recogniser reads: a home-grown script's "DISK ALERT on
// db-02: /var at 97%"), or an object with those `rules`, the `sources` allowed to raise
// alerts per channel, `auto_execute_as`, the identity auto_execute playbooks run as, and
// `targets`, the labels and values that name machines for a sender whose alerts say it their way.
import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ConfigError } from '../errors.js';
import { parseSubject } from '../models/permission-names.js';
import { AlertSource } from './alert-sources.js';
import type { TargetMapping } from './infer/index.js';
import { formatIssues, issueMessage } from './parse/problems.js';
import { parseAlertRules, type AlertRule } from './parse/index.js';

export interface AlertConfig {
  rules: AlertRule[];
  /** null: none configured, so channel alerts are only suggested. */
  sources: AlertSource[] | null;
  /** The permission subject auto_execute runs act as; null: nothing runs by itself. */
  autoExecuteAs: string | null;
  /** Labels and values naming machines, per sender; [] when none are configured. */
  targets: TargetMapping[];
}

export const NO_ALERT_CONFIG: AlertConfig = { rules: [], sources: null, autoExecuteAs: null, targets: [] };

export const SENDER_FAMILIES = ['alertmanager', 'grafana', 'webhook', 'rules', '*'] as const;

const Target = z
  .strictObject({
    from: z.array(z.enum(SENDER_FAMILIES)).min(1).default(['*']),
    labels: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a label name (letters, digits, _)' })).default([]),
    map: z.record(z.string().min(1), z.string().trim().min(1, { error: 'must name a device id' })).default({}),
  })
  .refine((t) => t.labels.length + Object.keys(t.map).length > 0, { error: 'name labels that name the machine, or a map from label values to device ids' });

const AlertConfigFile = z.strictObject({
  sources: z.array(AlertSource).optional(),
  auto_execute_as: z
    .string()
    .refine((s) => {
      try {
        parseSubject(s);
        return true;
      } catch {
        return false;
      }
    }, { error: 'must be a permission subject: a user id (U…), a user group id (S…) or apikey:NAME' })
    .optional(),
  rules: z.array(z.unknown()).default([]),
  targets: z.array(Target).default([]),
});

/** The file's content as parsed YAML or JSON; `where` names it in every problem. */
export function parseAlertConfig(raw: unknown, where: string): AlertConfig {
  const file = Array.isArray(raw) ? { rules: raw } : raw;
  const parsed = AlertConfigFile.safeParse(file ?? {}, { error: issueMessage });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues).map((p) => `${where}: ${p}`));
  const rules = parseAlertRules(parsed.data.rules);
  if (!rules.ok) throw new ConfigError(rules.problems.map((p) => `${where}: ${Array.isArray(raw) ? p : `rules${p.startsWith('[') ? '' : '.'}${p}`}`));
  return {
    rules: rules.rules,
    sources: parsed.data.sources ?? null,
    autoExecuteAs: parsed.data.auto_execute_as === undefined ? null : parseSubject(parsed.data.auto_execute_as).id,
    targets: parsed.data.targets,
  };
}

export async function loadAlertConfig(path: string | undefined): Promise<AlertConfig> {
  if (path === undefined) return NO_ALERT_CONFIG;
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
  return parseAlertConfig(raw ?? [], `ALERT_RULES_FILE ${path}`);
}

/** What the log says at start about how alerts are read and whether anything runs by itself. */
export function describeAlertConfig(config: AlertConfig): string[] {
  const sources =
    config.sources === null
      ? 'alerts: channel messages from any app are read and only suggested (list trusted bots and apps under sources in ALERT_RULES_FILE)'
      : `alerts: channel messages are read from ${config.sources.length} configured source(s) only`;
  const auto =
    config.autoExecuteAs === null
      ? 'alerts: auto_execute playbooks are only suggested (set auto_execute_as in ALERT_RULES_FILE to let them run)'
      : `alerts: auto_execute playbooks run as ${config.autoExecuteAs}, which needs each playbook's required_permissions`;
  const targets =
    config.targets.length === 0
      ? 'alerts: playbooks act only on registered devices that an alert names in node, host, hostname, exported_instance, nodename or instance (add targets in ALERT_RULES_FILE for other labels)'
      : `alerts: playbooks act only on registered devices; ${config.targets.length} targets entr${config.targets.length === 1 ? 'y names' : 'ies name'} machines per sender`;
  return [sources, auto, targets];
}
