// The registry's text as Prometheus reads it: every line a comment or a sample, every name
// ours, the recorders' labels as documented, and the scrape-time gauges from their sources.
import { describe, expect, it } from 'vitest';

import { createMetrics, commandResultOf, METRIC_PREFIX } from '../../src/metrics/metrics.js';
import { registerScrapeGauges } from '../../src/metrics/scrape-gauges.js';
import { slackMethodOf } from '../../src/metrics/slack-fetch.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { parseExposition, seriesOf, valueOf } from './support/exposition.js';

function recordedMetrics() {
  const metrics = createMetrics();
  registerScrapeGauges(metrics, {
    runCounts: async () => ({ running: 2, completed: 5 }),
    queueDepths: async () => [{ queue: 'runbook-waits', jobs: { waiting: 1, delayed: 3, active: 0 }, oldestWaitingSeconds: 7.5 }],
    cacheMs: 0,
  });
  metrics.command('api', 'start', 'applied');
  metrics.command('slack', 'advance', 'conflict');
  metrics.stepFinished('action', 'completed', 12);
  metrics.slackCall('chat.update', 0.05, true);
  metrics.reconcilerRepairs('waits', 'restored', 2);
  metrics.apiRequest('GET', '/v1/runbooks/runs/:run_id', 200);
  metrics.mcpRequest(200);
  return metrics;
}

describe('the /metrics exposition', () => {
  it('is only comments and samples, and every metric is named runbook_bot_…', async () => {
    const text = await recordedMetrics().registry.metrics();
    const samples = parseExposition(text);
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.filter((s) => !s.name.startsWith(METRIC_PREFIX)).map((s) => s.name)).toEqual([]);
  });

  it('says what the recorders were told, with the labels the docs name', async () => {
    const samples = parseExposition(await recordedMetrics().registry.metrics());
    expect(valueOf(samples, 'runbook_bot_commands_total', { surface: 'api', command: 'start', result: 'applied' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_commands_total', { surface: 'slack', command: 'advance', result: 'conflict' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_step_duration_seconds_count', { type: 'action', outcome: 'completed' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_step_duration_seconds_sum', { type: 'action', outcome: 'completed' })).toBe(12);
    expect(valueOf(samples, 'runbook_bot_step_duration_seconds_bucket', { type: 'action', outcome: 'completed', le: '5' })).toBe(0);
    expect(valueOf(samples, 'runbook_bot_step_duration_seconds_bucket', { type: 'action', outcome: 'completed', le: '15' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_slack_api_duration_seconds_count', { method: 'chat.update' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_slack_api_rate_limited_total', { method: 'chat.update' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_reconciler_repairs_total', { reconciler: 'waits', action: 'restored' })).toBe(2);
    expect(valueOf(samples, 'runbook_bot_api_requests_total', { method: 'GET', route: '/v1/runbooks/runs/:run_id', status: '200' })).toBe(1);
    expect(valueOf(samples, 'runbook_bot_mcp_requests_total', { status: '200' })).toBe(1);
  });

  it('reads runs by status and queue depths when scraped, every status present', async () => {
    const samples = parseExposition(await recordedMetrics().registry.metrics());
    expect(Object.fromEntries(seriesOf(samples, 'runbook_bot_runs').map((s) => [s.labels.status, s.value]))).toEqual({
      pending: 0,
      running: 2,
      waiting: 0,
      paused: 0,
      completed: 5,
      failed: 0,
      rolled_back: 0,
      cancelled: 0,
    });
    expect(valueOf(samples, 'runbook_bot_queue_jobs', { queue: 'runbook-waits', state: 'delayed' })).toBe(3);
    expect(valueOf(samples, 'runbook_bot_queue_oldest_waiting_seconds', { queue: 'runbook-waits' })).toBe(7.5);
  });

  it('still answers when a scrape-time read fails, leaving those gauges out and counting the failure', async () => {
    const metrics = createMetrics();
    registerScrapeGauges(metrics, {
      runCounts: async () => {
        throw new Error('database down');
      },
      queueDepths: async () => [],
      cacheMs: 0,
    });
    const first = parseExposition(await metrics.registry.metrics());
    expect(seriesOf(first, 'runbook_bot_runs')).toEqual([]);
    expect(seriesOf(first, 'runbook_bot_queue_jobs')).toEqual([]);
    // The counter is written before the gauges' reads end: each scrape shows the failures before it.
    const second = parseExposition(await metrics.registry.metrics());
    expect(valueOf(second, 'runbook_bot_scrape_errors_total', { source: 'runs' })).toBe(1);
  });

  it('counts refusals by their code and anything else as an error', () => {
    expect(commandResultOf(new AppError(ErrorCode.Conflict, 'stale command'))).toBe('conflict');
    expect(commandResultOf(new AppError(ErrorCode.Forbidden, 'no'))).toBe('forbidden');
    expect(commandResultOf(new AppError(ErrorCode.Internal, 'boom'))).toBe('error');
    expect(commandResultOf(new Error('connection closed'))).toBe('error');
  });

  it('labels a Slack call by its Web API method, and anything else as other', () => {
    expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodOf('http://127.0.0.1:4000/api/auth.test')).toBe('auth.test');
    expect(slackMethodOf('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('other');
  });
});
