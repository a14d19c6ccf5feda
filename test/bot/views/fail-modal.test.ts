import { describe, expect, it } from 'vitest';

import { BlockId, INPUT_ACTION_ID, ViewId } from '../../../src/bot/slack-ids.js';
import { buildFailModal, parseFailContext, readFailReason, type FailContext } from '../../../src/bot/views/fail-modal.js';
import { viewLimitProblems } from './support/block-limits.js';

const CTX: FailContext = { run_id: 'run_aaaaaaaaaaaa', step_id: 'rbs_bbbbbbbbbbbb', visit: 3, channel_id: 'C024BE91L', message_ts: '1700000000.000100' };

const reasonState = (value: string | null) => ({ [BlockId.FailReason]: { [INPUT_ACTION_ID]: { type: 'plain_text_input', value } } });

describe('buildFailModal', () => {
  it('asks for the reason in one required multiline input', () => {
    const view = buildFailModal({ ...CTX, stepLabel: 'Deploy' });
    expect(view.callback_id).toBe(ViewId.FailReason);
    expect(view.title).toMatchObject({ type: 'plain_text', text: 'Fail step' });
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({
      block_id: BlockId.FailReason,
      element: { type: 'plain_text_input', action_id: INPUT_ACTION_ID, multiline: true, max_length: 3000 },
    });
    expect(inputs[0]).not.toHaveProperty('optional');
  });

  it('names the step, escaped', () => {
    const view = buildFailModal({ ...CTX, stepLabel: 'Ping <!channel> <@U1>' });
    expect(JSON.stringify(view.blocks)).toContain('*Ping &lt;!channel&gt; &lt;@U1&gt;*');
    expect(JSON.stringify(view.blocks)).not.toContain('<!channel>');
  });

  it('stays within the view limits with a huge label', () => {
    expect(viewLimitProblems(buildFailModal({ ...CTX, stepLabel: '&'.repeat(5000) }))).toEqual([]);
    expect(viewLimitProblems(buildFailModal({ ...CTX, channel_id: null, message_ts: null, stepLabel: '' }))).toEqual([]);
  });
});

describe('readFailReason', () => {
  it('returns the trimmed reason', () => {
    expect(readFailReason(reasonState('  disk full \n'))).toBe('disk full');
  });

  it('throws clearly when the reason is missing or blank', () => {
    expect(() => readFailReason(reasonState(null))).toThrow(/reason is required/);
    expect(() => readFailReason(reasonState('   '))).toThrow(/reason is required/);
    expect(() => readFailReason({})).toThrow(/reason is required/);
  });

  it('throws on a state that is not Slack’s shape', () => {
    expect(() => readFailReason('nope')).toThrow(/fail modal: view.state.values has the wrong shape/);
  });
});

describe('FailContext in private_metadata', () => {
  it('round-trips, without the step label', () => {
    const view = buildFailModal({ ...CTX, stepLabel: 'Deploy' });
    expect(parseFailContext(view.private_metadata!)).toEqual(CTX);
    const bare = { ...CTX, channel_id: null, message_ts: null };
    expect(parseFailContext(buildFailModal({ ...bare, stepLabel: 'x' }).private_metadata!)).toEqual(bare);
  });

  it('throws clearly on bad JSON or a bad shape', () => {
    expect(() => parseFailContext('')).toThrow(/fail modal private_metadata is not JSON/);
    expect(() => parseFailContext(JSON.stringify({ ...CTX, visit: 0 }))).toThrow(/wrong shape[\s\S]*visit/);
    expect(() => parseFailContext(JSON.stringify({ ...CTX, run_id: 'rnb_x' }))).toThrow(/run id/);
    expect(() => parseFailContext(JSON.stringify({ run_id: CTX.run_id }))).toThrow(/wrong shape/);
  });
});
