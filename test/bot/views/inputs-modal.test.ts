import type { InputBlock, PlainTextInput } from '@slack/types';
import { describe, expect, it } from 'vitest';

import { BlockId, INPUT_ACTION_ID, ViewId } from '../../../src/bot/slack-ids.js';
import {
  buildInputsModal,
  parseInputsContext,
  readInputsSubmission,
  type InputsContext,
} from '../../../src/bot/views/inputs-modal.js';
import { VARIABLE_VALUE_MAX_CHARS } from '../../../src/engine/create-run.js';
import type { VariableDef } from '../../../src/engine/types.js';
import { viewLimitProblems } from './support/block-limits.js';

const CONTEXT: InputsContext = { runbook_id: 'rnb_aaaaaaaaaaaa', channel_id: 'C024BE91L', thread_ts: '1700000000.000100', origin: 'command' };
const VARIABLES: VariableDef[] = [
  { name: 'version', description: 'Release version', required: true, default: null },
  { name: 'environment', description: '', required: false, default: 'production' },
  { name: 'ticket', description: 'Change ticket', required: false, default: null },
];

function modal(values: Record<string, string> = {}, variables = VARIABLES, name = 'Deploy') {
  return buildInputsModal({ runbook: { id: CONTEXT.runbook_id, name, version: 4, variables }, values, context: CONTEXT });
}

const inputs = (view: ReturnType<typeof modal>) => view.blocks.filter((b): b is InputBlock => b.type === 'input');
const element = (block: InputBlock) => block.element as PlainTextInput;

/** What Slack sends back in view.state.values for these field values. */
function state(values: Record<string, string | null>) {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [`${BlockId.variablePrefix}${name}`, { [INPUT_ACTION_ID]: { type: 'plain_text_input', value } }]),
  );
}

describe('buildInputsModal', () => {
  it('is the start-inputs modal with Start and Cancel', () => {
    const view = modal();
    expect(view.callback_id).toBe(ViewId.StartInputs);
    expect(view.title).toMatchObject({ type: 'plain_text', text: 'Start runbook' });
    expect(view.submit?.text).toBe('Start');
    expect(view.close?.text).toBe('Cancel');
  });

  it('has one input per variable, labelled with its name and hinted with its description', () => {
    const [version, environment, ticket] = inputs(modal());
    expect(version).toMatchObject({
      block_id: 'var:version',
      label: { text: 'version' },
      hint: { text: 'Release version' },
      element: { type: 'plain_text_input', action_id: INPUT_ACTION_ID, max_length: VARIABLE_VALUE_MAX_CHARS },
    });
    expect(version?.optional).toBeUndefined();
    expect(environment?.optional).toBe(true);
    expect(environment?.hint).toBeUndefined();
    expect(ticket?.optional).toBe(true);
  });

  it('prefills given values, else defaults, else nothing', () => {
    const [version, environment, ticket] = inputs(modal({ version: '1.2 beta' })).map(element);
    expect(version?.initial_value).toBe('1.2 beta');
    expect(environment?.initial_value).toBe('production');
    expect(ticket && 'initial_value' in ticket).toBe(false);
    expect(element(inputs(modal({ environment: 'staging' }))[1]!).initial_value).toBe('staging');
  });

  it('shows the runbook name, escaped, and version', () => {
    const text = JSON.stringify(modal({}, VARIABLES, 'Deploy <!channel>').blocks[0]);
    expect(text).toContain('Runbook *Deploy &lt;!channel&gt;* · version 4');
  });

  it('says so when the runbook takes no inputs', () => {
    const view = modal({}, []);
    expect(inputs(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('takes no inputs');
    expect(viewLimitProblems(view)).toEqual([]);
  });

  it('stays within the view limits with 20 variables, huge descriptions and defaults', () => {
    const variables = Array.from({ length: 20 }, (_, i) => ({
      name: `v${i}_${'x'.repeat(45)}`,
      description: 'd'.repeat(5000),
      required: i % 2 === 0,
      default: 'x'.repeat(2000),
    }));
    const view = modal({ v0: 'y'.repeat(5000) }, variables, '<'.repeat(5000));
    expect(viewLimitProblems(view)).toEqual([]);
    for (const block of inputs(view)) expect(element(block).max_length).toBeGreaterThanOrEqual(element(block).initial_value?.length ?? 0);
  });
});

describe('readInputsSubmission', () => {
  it('returns the trimmed values the user gave, leaving blank optional ones out', () => {
    expect(readInputsSubmission(VARIABLES, state({ version: '  1.2 beta ', environment: '   ', ticket: null }))).toEqual({
      ok: true,
      values: { version: '1.2 beta' },
    });
  });

  it('reports a missing required value under its field', () => {
    expect(readInputsSubmission(VARIABLES, state({ version: ' ', environment: 'prod' }))).toEqual({
      ok: false,
      errors: { 'var:version': 'version is required' },
    });
    expect(readInputsSubmission(VARIABLES, {})).toEqual({ ok: false, errors: { 'var:version': 'version is required' } });
  });

  it('reports a value that is too long, naming the limit', () => {
    const result = readInputsSubmission(VARIABLES, state({ version: '1', ticket: 'x'.repeat(VARIABLE_VALUE_MAX_CHARS + 1) }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['var:ticket']);
    expect(result.errors['var:ticket']).toContain(`at most ${VARIABLE_VALUE_MAX_CHARS} characters`);
  });

  it('ignores blocks it did not render', () => {
    expect(readInputsSubmission(VARIABLES, { ...state({ version: '2' }), 'var:__proto__': { value: { type: 'x', value: 'y' } } })).toEqual({
      ok: true,
      values: { version: '2' },
    });
  });

  it('throws on a state that is not Slack’s shape', () => {
    expect(() => readInputsSubmission(VARIABLES, { 'var:version': 'oops' })).toThrow(/view.state.values has the wrong shape/);
    expect(() => readInputsSubmission(VARIABLES, null)).toThrow(/inputs modal/);
  });
});

describe('InputsContext in private_metadata', () => {
  it('round-trips', () => {
    expect(parseInputsContext(modal().private_metadata!)).toEqual(CONTEXT);
    const home: InputsContext = { runbook_id: 'rnb_bbbbbbbbbbbb', channel_id: null, origin: 'home' };
    const view = buildInputsModal({ runbook: { id: home.runbook_id, name: 'R', version: 1, variables: [] }, values: {}, context: home });
    expect(parseInputsContext(view.private_metadata!)).toEqual(home);
  });

  it('throws clearly on bad JSON or a bad shape', () => {
    expect(() => parseInputsContext('{not json')).toThrow(/private_metadata is not JSON/);
    expect(() => parseInputsContext(JSON.stringify({ ...CONTEXT, origin: 'elsewhere' }))).toThrow(/wrong shape[\s\S]*origin/);
    expect(() => parseInputsContext(JSON.stringify({ ...CONTEXT, runbook_id: 'run_aaaaaaaaaaaa' }))).toThrow(/runbook id/);
    expect(() => parseInputsContext(JSON.stringify({ ...CONTEXT, extra: 1 }))).toThrow(/wrong shape/);
  });

  it('refuses to build a modal from a bad context', () => {
    expect(() =>
      buildInputsModal({ runbook: { id: 'x', name: 'R', version: 1, variables: [] }, values: {}, context: { ...CONTEXT, channel_id: '' } }),
    ).toThrow();
  });
});
