// The service's Prometheus metrics: one Registry per app (tests start several apps in one
// process, and the global default registry would mix them), the metric definitions, and
// narrow methods the parts that record call, so nothing outside this folder handles
// prom-client. Gauges read at scrape time (runs, queues) are wired in scrape-gauges.ts.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

import { asAppError } from '../errors.js';

export const METRIC_PREFIX = 'runbook_bot_';

/** What a command came to: applied, duplicate, the AppError code of a refusal, or error. */
export type CommandResult = 'applied' | 'duplicate' | 'conflict' | 'validation' | 'forbidden' | 'not_found' | 'awaiting_approval' | 'unavailable' | 'error';

const REFUSALS = new Set<string>(['conflict', 'validation', 'forbidden', 'not_found', 'awaiting_approval', 'unavailable']);

/**
 * A refusal is counted by its AppError code (conflict: stale or moved on), a store that did not
 * answer as `unavailable`; anything else is an error.
 */
export function commandResultOf(error: unknown): CommandResult {
  const code = asAppError(error).code;
  return REFUSALS.has(code) ? (code as CommandResult) : 'error';
}

/** The recording side every part of the app gets: services, workers, HTTP surfaces, Slack. */
export interface MetricsRecorder {
  /** One command through the run service, by where it came from and how it ended. */
  command(surface: string, command: string, result: CommandResult): void;
  /** A step's visit finished (completed, skipped or failed) after `seconds`. */
  stepFinished(type: string, outcome: string, seconds: number): void;
  /** One HTTP request to Slack's Web API (each retry is one), and whether Slack answered 429. */
  slackCall(method: string, seconds: number, rateLimited: boolean): void;
  /** Something a reconciler found missing in Redis and put back (or fired). */
  reconcilerRepairs(reconciler: 'waits' | 'tool_calls', action: string, count: number): void;
  apiRequest(method: string, route: string, status: number): void;
  mcpRequest(status: number): void;
  /** A scrape-time source failed; its gauges are left empty for that scrape. */
  scrapeError(source: string): void;
}

export interface Metrics extends MetricsRecorder {
  registry: Registry;
}

/** For parts started without metrics (unit tests, the CLI): records nothing. */
export const noMetrics: MetricsRecorder = {
  command() {},
  stepFinished() {},
  slackCall() {},
  reconcilerRepairs() {},
  apiRequest() {},
  mcpRequest() {},
  scrapeError() {},
};

// Steps run from seconds (a tool call) to hours (a wait, an approval).
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];
const SLACK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];

  const commands = new Counter({
    name: `${METRIC_PREFIX}commands_total`,
    help: 'Run commands (starts, clicks, API and MCP calls, timers, tool results) by surface, command type and result',
    labelNames: ['surface', 'command', 'result'] as const,
    registers,
  });
  const steps = new Histogram({
    name: `${METRIC_PREFIX}step_duration_seconds`,
    help: 'How long a step visit took from activation to completed, skipped or failed, by step type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: STEP_BUCKETS,
    registers,
  });
  const slack = new Histogram({
    name: `${METRIC_PREFIX}slack_api_duration_seconds`,
    help: 'Slack Web API HTTP requests (each retry counted) until the answer came, by method',
    labelNames: ['method'] as const,
    buckets: SLACK_BUCKETS,
    registers,
  });
  const rateLimited = new Counter({
    name: `${METRIC_PREFIX}slack_api_rate_limited_total`,
    help: 'Slack Web API requests answered 429, by method',
    labelNames: ['method'] as const,
    registers,
  });
  const repairs = new Counter({
    name: `${METRIC_PREFIX}reconciler_repairs_total`,
    help: 'Timers and tool calls a reconciler found missing from Redis and put back or fired',
    labelNames: ['reconciler', 'action'] as const,
    registers,
  });
  const api = new Counter({
    name: `${METRIC_PREFIX}api_requests_total`,
    help: 'REST API requests by method, route pattern and answered status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const mcp = new Counter({
    name: `${METRIC_PREFIX}mcp_requests_total`,
    help: 'MCP requests at /mcp by answered status',
    labelNames: ['status'] as const,
    registers,
  });
  const scrapeErrors = new Counter({
    name: `${METRIC_PREFIX}scrape_errors_total`,
    help: 'Scrape-time reads that failed (their gauges were left out of that scrape), by source',
    labelNames: ['source'] as const,
    registers,
  });

  return {
    registry,
    command: (surface, command, result) => commands.inc({ surface, command, result }),
    stepFinished: (type, outcome, seconds) => steps.observe({ type, outcome }, seconds),
    slackCall(method, seconds, limited) {
      slack.observe({ method }, seconds);
      if (limited) rateLimited.inc({ method });
    },
    reconcilerRepairs(reconciler, action, count) {
      if (count > 0) repairs.inc({ reconciler, action }, count);
    },
    apiRequest: (method, route, status) => api.inc({ method, route, status: String(status) }),
    mcpRequest: (status) => mcp.inc({ status: String(status) }),
    scrapeError: (source) => scrapeErrors.inc({ source }),
  };
}
