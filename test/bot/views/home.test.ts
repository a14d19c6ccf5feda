import type { SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';

import { ActionId } from '../../../src/bot/slack-ids.js';
import { buildHome, buildHomeWithoutRole, decodeStartRunbookValue, encodeStartRunbookValue } from '../../../src/bot/views/home.js';
import type { RunSummary } from '../../../src/models/run-store.js';
import type { RunbookRecord } from '../../../src/models/runbook-records.js';
import { viewLimitProblems } from './support/block-limits.js';
import { mrkdwnTexts } from './support/message-text.js';
import { MIN, NOW, runSummary, runbookRecord } from './support/records.js';

const PERMALINK = 'https://acme.slack.com/archives/C024BE91L/p1700000000000100';
const INJECTION = '<!channel> <@U123> <http://x|y> &';
const ESCAPED = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp;';

// The shared records, numbered, with this file's own runbook_id, category, tags and latest version.
const runbook = (i: number, over: Partial<RunbookRecord> = {}) => runbookRecord({ category: null, tags: [], latest_version: 2, ...over }, i);
const run = (i: number, over: Partial<RunSummary> = {}) => runSummary({ runbook_id: 'rnb_000000000001', ...over }, i);

const home = (over: Partial<Parameters<typeof buildHome>[0]> = {}) =>
  buildHome({ userId: 'U012AB3CD', runbooks: [], activeRuns: [], recentRuns: [], now: NOW, ...over });
const body = (view: { blocks: unknown[] }) => JSON.stringify(view.blocks);

describe('buildHome', () => {
  it('gives each published runbook a Start button carrying its id', () => {
    const view = home({ runbooks: [runbook(1), runbook(2, { status: 'draft', published_version: null })] });
    expect(view.type).toBe('home');
    const withButtons = view.blocks.filter((b): b is SectionBlock => b.type === 'section' && 'accessory' in b);
    expect(withButtons).toHaveLength(1);
    expect(withButtons[0]!.text?.text).toContain('*Runbook 1* · v2');
    expect(withButtons[0]!.accessory).toMatchObject({ type: 'button', action_id: ActionId.StartRunbook, text: { text: 'Start' } });
    const value = (withButtons[0]!.accessory as { value: string }).value;
    expect(decodeStartRunbookValue(value)).toEqual({ rb: 'rnb_000000000001' });
  });

  it('links active runs to their messages', () => {
    const view = home({ activeRuns: [{ ...run(1, { status: 'paused' }), permalink: PERMALINK }, { ...run(2), permalink: null }] });
    const text = body(view);
    expect(text).toContain(`*Deploy* v3 · \`run_000000000001\` · ⏸️ Paused\\nstarted 5m 00s ago · <${PERMALINK}|Open>`);
    expect(text).toContain('`run_000000000002`');
    expect(text.match(/\|Open>/g)).toHaveLength(1);
  });

  it('leaves out a permalink that could break the link syntax', () => {
    const text = body(home({ activeRuns: [{ ...run(1), permalink: 'https://x|<!channel>' }] }));
    expect(text).not.toContain('Open>');
    expect(text).not.toContain('<!channel>');
  });

  it('shows recent runs with status, starter and duration', () => {
    const done = run(1, { status: 'failed', completed_at: NOW - MIN, created_at: NOW - MIN - 45_000 });
    expect(body(home({ recentRuns: [done] }))).toContain('❌ Failed\\nStarted by <@U012AB3CD> · took 45s');
  });

  it('says something useful when everything is empty', () => {
    const text = body(home());
    expect(text).toContain('No published runbooks yet — import one with `runbook-bot import --publish FILE`.');
    expect(text).toContain('No runs in flight for <@U012AB3CD>');
    expect(text).toContain('No runs yet.');
    expect(viewLimitProblems(home())).toEqual([]);
  });

  it('escapes anything user-typed', () => {
    const view = home({
      userId: '<!here>',
      runbooks: [runbook(1, { name: INJECTION, description: INJECTION })],
      activeRuns: [{ ...run(1, { runbook_name: INJECTION }), permalink: PERMALINK }],
      recentRuns: [run(2, { runbook_name: INJECTION, started_by: { kind: 'api', id: 'k', name: INJECTION } })],
    });
    const texts = mrkdwnTexts(view);
    expect(texts.filter((t) => t.includes(`*${ESCAPED}*`))).toHaveLength(3);
    expect(texts.join('\n')).not.toMatch(/<!channel>|<@U123>|<http:\/\/x\|y>/);
    // plain_text needs no escaping: the button's screen-reader label keeps the name as typed.
    expect(body(view)).toContain('"accessibility_label":"Start <!channel>');
  });

  it('never turns a malformed user id into a mention', () => {
    expect(mrkdwnTexts(home({ userId: '<!here>' })).join('\n')).toContain('for slack:&lt;!here&gt;.');
  });

  it('stays within 100 blocks with 500 runbooks and 500 runs, saying how many it left out', () => {
    const runbooks = Array.from({ length: 500 }, (_, i) => runbook(i, { name: '<'.repeat(255), description: '&'.repeat(5000) }));
    const runs = Array.from({ length: 500 }, (_, i) => run(i, { runbook_name: '<'.repeat(255) }));
    const view = home({ runbooks, activeRuns: runs.map((r) => ({ ...r, permalink: PERMALINK })), recentRuns: runs });
    expect(viewLimitProblems(view)).toEqual([]);
    const text = body(view);
    expect(text).toContain('… and 460 more.');
    expect(text.match(/… and 480 more\./g)).toHaveLength(2);
  });
});

describe('StartRunbookValue', () => {
  it('round-trips and stays small', () => {
    const raw = encodeStartRunbookValue({ rb: 'rnb_abcdefghijkl' });
    expect(raw).toBe('{"rb":"rnb_abcdefghijkl"}');
    expect(decodeStartRunbookValue(raw)).toEqual({ rb: 'rnb_abcdefghijkl' });
  });

  it('refuses anything else', () => {
    expect(() => decodeStartRunbookValue('nope')).toThrow(SyntaxError);
    expect(() => decodeStartRunbookValue('{"rb":"run_abcdefghijkl"}')).toThrow(/runbook id/);
    expect(() => decodeStartRunbookValue('{"rb":"rnb_abcdefghijkl","x":1}')).toThrow();
  });
});

describe('buildHomeWithoutRole', () => {
  it('says which role is needed and how to get it, within Slack’s limits, offering nothing to start', () => {
    const view = buildHomeWithoutRole('U0NOBODY');
    expect(viewLimitProblems(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('runbook-bot permissions grant U0NOBODY viewer');
    expect(JSON.stringify(view.blocks)).not.toContain('"type":"button"');
  });
});
