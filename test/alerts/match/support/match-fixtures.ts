// Builders for matching tests: a firing service_down alert on web-01 and a published global
// playbook triggered by service_down; each test overrides only what it is about.
import type { Alert } from '../../../../src/alerts/alert.js';
import type { MatchCandidate, MatchContext } from '../../../../src/alerts/match/index.js';
import type { Trigger } from '../../../../src/engine/types.js';

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'slack',
    recognizer: 'alertmanager-slack',
    type: 'service_down',
    severity: 'high',
    status: 'firing',
    host: 'web-01',
    labels: {},
    summary: 'nginx is down on web-01',
    fingerprint: 'fp-1',
    started_at: null,
    title_values: null,
    inferred: [],
    ...overrides,
  };
}

export function trigger(overrides: Partial<Trigger> = {}): Trigger {
  return { alert_types: ['service_down'], device_tags: [], min_severity: null, channels: [], auto_execute: false, ...overrides };
}

export function candidate(name: string, triggerOverrides: Partial<Trigger> = {}, overrides: Partial<MatchCandidate> = {}): MatchCandidate {
  return {
    runbook_id: `rnb_${name.toLowerCase().replace(/[^a-z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`,
    name,
    version: 1,
    scope: { type: 'global' },
    trigger: trigger(triggerOverrides),
    variables: [],
    status: 'published',
    ...overrides,
  };
}

export const CHANNEL = 'C024BE91L';

export function context(overrides: Partial<MatchContext> = {}): MatchContext {
  return { channel: CHANNEL, deviceTags: ['web', 'linux'], company: 'acme', ...overrides };
}
