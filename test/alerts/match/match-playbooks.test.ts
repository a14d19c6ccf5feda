import { describe, expect, it } from 'vitest';
import { matchPlaybooks, type MatchCandidate } from '../../../src/alerts/match/index.js';
import type { Severity } from '../../../src/engine/types.js';
import { CHANNEL, alert, candidate, context } from './support/match-fixtures.js';

const names = (matches: { candidate: MatchCandidate }[]) => matches.map((m) => m.candidate.name);
const matchesOne = (c: MatchCandidate, a = alert(), ctx = context()) => matchPlaybooks(a, [c], ctx).length === 1;

describe('matchPlaybooks: alert type', () => {
  it.each([
    ['matches when the trigger lists the alert type', ['service_down'], true],
    ['matches when the alert type is one of several', ['high_cpu', 'service_down'], true],
    ['ignores case and spaces in the trigger type', [' Service_Down '], true],
    ['does not match another type', ['disk_full'], false],
    ['does not match a trigger with no alert types', [], false],
  ])('%s', (_name, alert_types, expected) => {
    expect(matchesOne(candidate('P', { alert_types }))).toBe(expected);
  });
});

describe('matchPlaybooks: device tags', () => {
  it.each([
    ['matches a trigger without tags on any device', [], ['web'], true],
    ['matches a trigger without tags when the device is unknown', [], null, true],
    ['matches when the device shares one tag', ['db', 'web'], ['web', 'linux'], true],
    ['ignores the case of tags', ['WEB'], ['web'], true],
    ['does not match when no tag is shared', ['db'], ['web', 'linux'], false],
    ['does not match a device without tags', ['web'], [], false],
    ['does not match an unknown device when tags are required', ['web'], null, false],
  ])('%s', (_name, device_tags, deviceTags, expected) => {
    expect(matchesOne(candidate('P', { device_tags }), alert(), context({ deviceTags }))).toBe(expected);
  });
});

describe('matchPlaybooks: severity', () => {
  it.each<[string, Severity, Severity | null, boolean]>([
    ['does not match an alert below the minimum', 'medium', 'high', false],
    ['matches an alert at the minimum', 'high', 'high', true],
    ['matches an alert above the minimum', 'critical', 'high', true],
    ['matches a low alert when there is no minimum', 'low', null, true],
    ['does not match a high alert under a critical minimum', 'high', 'critical', false],
  ])('%s', (_name, severity, min_severity, expected) => {
    expect(matchesOne(candidate('P', { min_severity }), alert({ severity }))).toBe(expected);
  });
});

describe('matchPlaybooks: channel', () => {
  it.each([
    ['matches when the channel is listed', [CHANNEL, 'C0OTHER01'], CHANNEL, true],
    ['does not match when the channel is not listed', ['C0OTHER01'], CHANNEL, false],
    ['matches any channel when none is listed', [], CHANNEL, true],
    ['matches an alert without a channel when none is listed', [], null, true],
    ['does not match an alert without a channel when channels are listed', [CHANNEL], null, false],
  ])('%s', (_name, channels, channel, expected) => {
    expect(matchesOne(candidate('P', { channels }), alert({ source: 'webhook' }), context({ channel }))).toBe(expected);
  });
});

describe('matchPlaybooks: scope', () => {
  it.each([
    ['matches a global playbook', { type: 'global' } as const, 'acme', true],
    ['matches a global playbook when the company is unknown', { type: 'global' } as const, null, true],
    ["matches the alert's own company's playbook", { type: 'company', company: 'acme' } as const, 'acme', true],
    ["does not match another company's playbook", { type: 'company', company: 'globex' } as const, 'acme', false],
    ['does not match a company playbook when the company is unknown', { type: 'company', company: 'acme' } as const, null, false],
  ])('%s', (_name, scope, company, expected) => {
    expect(matchesOne(candidate('P', {}, { scope }), alert(), context({ company }))).toBe(expected);
  });
});

describe('matchPlaybooks: what can match at all', () => {
  it.each([
    ['a draft', { status: 'draft' as const }],
    ['an archived runbook', { status: 'archived' as const }],
    ['a published runbook without a trigger', { trigger: null }],
  ])('never matches %s', (_name, overrides) => {
    expect(matchesOne(candidate('P', {}, overrides))).toBe(false);
  });

  it('matches nothing for a resolved alert, so it can never start a run', () => {
    expect(matchPlaybooks(alert({ status: 'resolved' }), [candidate('P', { auto_execute: true })], context())).toEqual([]);
  });

  it('keeps only the candidates that match, from a mixed list', () => {
    const list = [candidate('Restart'), candidate('Disk', { alert_types: ['disk_full'] }), candidate('Draft', {}, { status: 'draft' })];
    expect(names(matchPlaybooks(alert(), list, context()))).toEqual(['Restart']);
  });
});

describe('matchPlaybooks: what a match says', () => {
  it.each([true, false])('passes auto_execute %s through from the trigger', (auto_execute) => {
    expect(matchPlaybooks(alert(), [candidate('P', { auto_execute })], context())[0]?.auto_execute).toBe(auto_execute);
  });

  it('gives the matching candidate itself back', () => {
    const c = candidate('P');
    expect(matchPlaybooks(alert(), [c], context())[0]?.candidate).toBe(c);
  });

  it.each([
    ['names the type, the shared tags and the severity floor', { device_tags: ['web', 'db'], min_severity: 'high' as const }, 'type service_down · tags web · severity ≥ high'],
    ['names only the type for a trigger with no tags or floor', {}, 'type service_down'],
    ['lists every shared tag', { device_tags: ['linux', 'web'] }, 'type service_down · tags linux, web'],
  ])('%s in its reason', (_name, triggerOverrides, reason) => {
    expect(matchPlaybooks(alert(), [candidate('P', triggerOverrides)], context())[0]?.reason).toBe(reason);
  });
});
