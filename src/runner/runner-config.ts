// The device runner's own config file (YAML or JSON, snake_case): what it may clean, which
// services it manages itself or through systemd, which commands it may run. Everything that
// changes the machine is opt-in: with no file the runner deletes nothing, starts, stops or
// restarts no service and runs no commands.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ConfigError } from '../errors.js';
import { formatIssues, issueMessage } from './tools/input-issues.js';

export const CLEANUP_CATEGORIES = ['temp', 'package_cache', 'trash', 'browser_cache'] as const;
export type CleanupCategory = (typeof CLEANUP_CATEGORIES)[number];

const Roots = z.array(z.string().min(1)).optional();

const ServiceConfig = z.strictObject({
  /** argv, run without a shell. */
  start: z
    .array(z.string())
    .min(1)
    .refine((argv) => argv[0] !== '', { error: 'must not be empty', path: [0] }),
  pid_file: z.string().min(1),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  stop_timeout_seconds: z.number().positive().max(3600).default(10),
  log_file: z.string().min(1).optional(),
});

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9@._:-]*$/;
const COMMAND = z
  .string()
  .refine((c) => c !== '' && (isAbsolute(c) || !c.includes('/')), { error: 'must be a command name or an absolute path' });

export const RunnerConfig = z.strictObject({
  device_id: z.string().min(1).optional(),
  tags: z.array(z.string().min(1)).optional(),
  cleanup: z.strictObject({ temp: Roots, package_cache: Roots, trash: Roots, browser_cache: Roots }).prefault({}),
  services: z
    .record(z.string().regex(SERVICE_NAME, { error: 'service names are letters, digits and @._:-' }), ServiceConfig)
    .prefault({}),
  /** systemd units manage_services may start, stop and restart (any unit's status may be read). */
  systemd_units: z.array(z.string().regex(SERVICE_NAME, { error: 'unit names are letters, digits and @._:-' })).default([]),
  run_command: z
    .strictObject({
      allow: z.array(COMMAND).default([]),
      timeout_seconds: z.number().positive().max(3600).default(30),
      max_output_bytes: z.number().int().min(256).max(10_000_000).default(8192),
    })
    .prefault({}),
  custom_tools: z.array(z.string().min(1)).default([]),
  output_limit_chars: z.number().int().min(1000).max(10_000_000).default(16_000),
  /** Where the runner keeps what each device started (STATE_DIR/DEVICE_ID); default ~/.local/state/runbook-bot. */
  state_dir: z.string().min(1).optional(),
});
export type RunnerConfig = z.output<typeof RunnerConfig>;
export type ServiceConfig = z.output<typeof ServiceConfig>;

/**
 * Validates a parsed config and makes its paths absolute, relative ones against `baseDir`
 * (the config file's folder): cleanup roots, custom tool modules, service files, cwd and the state folder.
 */
export function parseRunnerConfig(raw: unknown, baseDir: string): RunnerConfig {
  const parsed = RunnerConfig.safeParse(raw ?? {}, { error: issueMessage });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues));
  const c = parsed.data;
  const abs = (p: string) => resolve(baseDir, p);
  const cleanup: RunnerConfig['cleanup'] = {};
  for (const category of CLEANUP_CATEGORIES) {
    const roots = c.cleanup[category];
    if (roots !== undefined) cleanup[category] = roots.map(abs);
  }
  const services: RunnerConfig['services'] = {};
  for (const [name, s] of Object.entries(c.services)) {
    services[name] = {
      ...s,
      pid_file: abs(s.pid_file),
      ...(s.cwd === undefined ? {} : { cwd: abs(s.cwd) }),
      ...(s.log_file === undefined ? {} : { log_file: abs(s.log_file) }),
    };
  }
  return { ...c, cleanup, services, custom_tools: c.custom_tools.map(abs), ...(c.state_dir === undefined ? {} : { state_dir: abs(c.state_dir) }) };
}

/** The config at `path` (YAML or JSON); no path gives the defaults. */
export async function loadRunnerConfig(path: string | undefined): Promise<RunnerConfig> {
  if (path === undefined) return parseRunnerConfig({}, process.cwd());
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError([`${file}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0] ?? ''}`]);
  }
  return parseRunnerConfig(raw, dirname(file));
}
