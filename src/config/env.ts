// The process environment, parsed once at start-up (DESIGN §5). A bad environment stops
// the process with every problem listed at once, so one restart fixes them all.
import { z } from 'zod';

import { ConfigError } from '../errors.js';

function intBetween(min: number, max: number) {
  const rule = `must be an integer between ${min} and ${max}`;
  return z
    .string()
    .regex(/^\s*\d+\s*$/, { error: rule })
    .transform(Number)
    .pipe(z.number().min(min, { error: rule }).max(max, { error: rule }));
}

const slackToken = (prefix: string) => z.string().startsWith(prefix, { error: `must start with "${prefix}"` });

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const EnvSchema = z.object({
  // Unset: the bot starts the embedded FerretDB on an embedded PostgreSQL under .data/.
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, { error: 'must be a mongodb:// or mongodb+srv:// URI' })
    .optional(),
  // With MONGODB_URI unset: the PostgreSQL the embedded FerretDB stores into, instead of
  // starting one (the database it names is created if missing).
  FERRETDB_POSTGRESQL_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^\s/]+\/[^\s/?#]+(\?\S*)?$/, {
      error: 'must be a postgres:// or postgresql:// URL naming a database, like postgres://user:password@db.internal:5432/ferretdb',
    })
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S*$/, { error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  // Slack settings are optional until the Slack surface exists; the bot checks it has
  // what its mode needs (HTTP: signing secret; Socket Mode: app token).
  SLACK_SIGNING_SECRET: z.string().optional(),
  // auto: Slack when its credentials are set, else the local sandbox; sandbox even with them; off: no Slack at all.
  SLACK_MODE: z.enum(['auto', 'sandbox', 'off'], { error: 'must be one of auto, sandbox, off' }).default('auto'),
  SLACK_BOT_TOKEN: slackToken('xoxb-').optional(),
  SLACK_APP_TOKEN: slackToken('xapp-').optional(),
  // WebClient joins method names onto this base, so it must end in "/".
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => (u.endsWith('/') ? u : `${u}/`))
    .default('https://slack.com/api/'),
  PORT: intBetween(1, 65_535).default(3000),
  // Loopback unless told otherwise: exposing the service is a deliberate choice.
  HOST: z.string().regex(/^[A-Za-z0-9.:-]+$/, { error: 'must be a host name or IP address' }).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  RECONCILE_INTERVAL_MS: intBetween(100, 86_400_000).default(30_000),
  // BullMQ key prefix: deployments sharing one Redis each need their own. No ":" (BullMQ's separator).
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, "_" or "-"' })
    .default('runbook-bot'),
  // Runners beat this often; the bot counts a device offline after three beats missed.
  DEVICE_HEARTBEAT_MS: intBetween(100, 3_600_000).default(10_000),
  // How soon a tool call whose runner died is handed to a runner again.
  RUNNER_STALLED_CHECK_MS: intBetween(500, 3_600_000).default(30_000),
  // Bearer token of POST /alerts and /alerts/alertmanager; unset, those endpoints are off.
  ALERTS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  // The Slack channel webhook alerts are posted to.
  ALERTS_CHANNEL: z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'must be a Slack channel id like C024BE91L' }).optional(),
  // A YAML or JSON list of regex rules for channel alerts no built-in recogniser reads.
  ALERT_RULES_FILE: z.string().min(1).optional(),
  // Requests a minute each API key may make, counted in Redis so every instance shares it.
  API_RATE_LIMIT: intBetween(1, 1_000_000).default(600),
  // How long a verified API key is trusted without a database read: a revoked key stops working within this time.
  API_KEY_CACHE_MS: intBetween(0, 3_600_000).default(5_000),
});
export type Env = z.output<typeof EnvSchema>;

export interface Config {
  /** Undefined: use the embedded FerretDB. */
  mongodbUri?: string;
  /** The embedded FerretDB's PostgreSQL; undefined: an embedded one in the data folder. */
  ferretdbPostgresqlUrl?: string;
  redisUrl: string;
  /** auto (the default): Slack with credentials, else the sandbox; sandbox; off. */
  slackMode?: 'auto' | 'sandbox' | 'off';
  slackSigningSecret?: string;
  slackBotToken?: string;
  slackAppToken?: string;
  slackApiUrl: string;
  port: number;
  host: string;
  logLevel: LogLevel;
  reconcileIntervalMs: number;
  queuePrefix?: string;
  deviceHeartbeatMs: number;
  runnerStalledCheckMs: number;
  alertsToken?: string;
  alertsChannel?: string;
  alertRulesFile?: string;
  apiRateLimit?: number;
  apiKeyCacheMs?: number;
}

// Values never echoed in messages: secrets, and URIs that may carry passwords.
const SECRET_VARS = new Set(['MONGODB_URI', 'FERRETDB_POSTGRESQL_URL', 'REDIS_URL', 'SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'ALERTS_TOKEN']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO= in a .env or compose file) means unset, as in t3-env.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, present));
  const e = parsed.data;
  return {
    ...(e.MONGODB_URI === undefined ? {} : { mongodbUri: e.MONGODB_URI }),
    ...(e.FERRETDB_POSTGRESQL_URL === undefined ? {} : { ferretdbPostgresqlUrl: e.FERRETDB_POSTGRESQL_URL }),
    redisUrl: e.REDIS_URL,
    slackMode: e.SLACK_MODE,
    ...(e.SLACK_SIGNING_SECRET === undefined ? {} : { slackSigningSecret: e.SLACK_SIGNING_SECRET }),
    ...(e.SLACK_BOT_TOKEN === undefined ? {} : { slackBotToken: e.SLACK_BOT_TOKEN }),
    ...(e.SLACK_APP_TOKEN === undefined ? {} : { slackAppToken: e.SLACK_APP_TOKEN }),
    slackApiUrl: e.SLACK_API_URL,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    queuePrefix: e.QUEUE_PREFIX,
    deviceHeartbeatMs: e.DEVICE_HEARTBEAT_MS,
    runnerStalledCheckMs: e.RUNNER_STALLED_CHECK_MS,
    ...(e.ALERTS_TOKEN === undefined ? {} : { alertsToken: e.ALERTS_TOKEN }),
    ...(e.ALERTS_CHANNEL === undefined ? {} : { alertsChannel: e.ALERTS_CHANNEL }),
    ...(e.ALERT_RULES_FILE === undefined ? {} : { alertRulesFile: e.ALERT_RULES_FILE }),
    apiRateLimit: e.API_RATE_LIMIT,
    apiKeyCacheMs: e.API_KEY_CACHE_MS,
  };
}

/** One line per variable (its first issue), naming the rule and, unless secret, the value. */
function describeIssues(issues: readonly z.core.$ZodIssue[], env: Record<string, string | undefined>): string[] {
  const lines = new Map<string, string>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '(environment)');
    if (lines.has(name)) continue;
    const value = env[name];
    const got = value === undefined || SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(value)})`;
    lines.set(name, `${name}: ${issue.message}${got}`);
  }
  return [...lines.values()];
}
