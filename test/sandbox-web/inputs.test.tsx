import { describe, expect, it } from 'vitest';

import { collectStateValues, missingRequired, withEdit } from '../../src/sandbox/web/form-state.js';
import { InputBlockView, type FormProps } from '../../src/sandbox/web/inputs.js';
import { Modal } from '../../src/sandbox/web/modal.js';
import type { Block, InputBlock, ViewState } from '../../src/sandbox/web/types.js';
import { noop, render } from './support.js';

const reason: InputBlock = {
  type: 'input',
  block_id: 'fail_reason',
  label: { type: 'plain_text', text: 'What went wrong?' },
  hint: { type: 'plain_text', text: 'Recorded on the step.' },
  element: { type: 'plain_text_input', action_id: 'value', multiline: true, placeholder: { type: 'plain_text', text: 'Say why' } },
};
const version: InputBlock = {
  type: 'input',
  block_id: 'var:version',
  label: { type: 'plain_text', text: 'version' },
  optional: true,
  element: { type: 'plain_text_input', action_id: 'value', initial_value: '2.5.0', max_length: 1000 },
};
const region: InputBlock = {
  type: 'input',
  block_id: 'region',
  label: { type: 'plain_text', text: 'Region' },
  element: {
    type: 'static_select',
    action_id: 'pick',
    placeholder: { type: 'plain_text', text: 'Pick a region' },
    options: [
      { text: { type: 'plain_text', text: 'EU' }, value: 'eu' },
      { text: { type: 'plain_text', text: 'US' }, value: 'us' },
    ],
    initial_option: { text: { type: 'plain_text', text: 'US' }, value: 'us' },
  },
};
const form = (over: Partial<FormProps> = {}): FormProps => ({ edits: {}, errors: {}, onChange: noop, ...over });
// useId's value depends on render order; these tests are about everything else.
const input = (block: InputBlock, f?: FormProps) => render(<InputBlockView block={block} blockId={block.block_id ?? ''} form={f} />).replace(/P0-\d+/g, 'ID');

describe('input blocks', () => {
  it('renders a multiline plain_text_input with label, placeholder and hint', () => {
    expect(input(reason, form())).toBe(
      '<div class="blk-input"><label class="input-label" for="ID">What went wrong?</label>' +
        '<textarea rows="4" id="ID" class="text-input" data-testid="input-fail_reason" placeholder="Say why"></textarea>' +
        '<div class="input-hint">Recorded on the step.</div></div>',
    );
  });

  it('renders a one-line input with its initial value and an (optional) label', () => {
    expect(input(version, form())).toBe(
      '<div class="blk-input"><label class="input-label" for="ID">version<span class="input-optional"> (optional)</span></label>' +
        '<input type="text" id="ID" class="text-input" data-testid="input-var:version" maxlength="1000" value="2.5.0"/></div>',
    );
  });

  it('shows what the user typed rather than the initial value', () => {
    const edits = withEdit({}, 'var:version', 'value', { type: 'plain_text_input', value: '<b>3.0</b>' });
    expect(input(version, form({ edits }))).toContain('value="&lt;b>3.0&lt;/b>"');
  });

  it('renders a static_select with its options and initial option', () => {
    expect(input(region, form())).toBe(
      '<div class="blk-input"><label class="input-label" for="ID">Region</label>' +
        '<select id="ID" class="select" data-testid="input-region"><option value>Pick a region</option>' +
        '<option value="eu">EU</option><option selected value="us">US</option></select></div>',
    );
  });

  it("shows the server's error under its input", () => {
    const html = input(reason, form({ errors: { fail_reason: 'Say why the step failed: the reason is required' } }));
    expect(html).toContain('<div class="blk-input has-error">');
    expect(html).toContain('</textarea><div class="input-error" role="alert" data-testid="error-fail_reason">Say why the step failed: the reason is required</div><div class="input-hint">');
  });

  it('escapes an error message', () => {
    expect(input(reason, form({ errors: { fail_reason: '<img src=x onerror=alert(1)>' } }))).toContain('&lt;img src=x onerror=alert(1)>');
  });
});

describe('form state', () => {
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }, reason, version, region];

  it("collects Slack's view.state.values from initial values and edits", () => {
    expect(collectStateValues(blocks, {})).toEqual({
      fail_reason: { value: { type: 'plain_text_input', value: null } },
      'var:version': { value: { type: 'plain_text_input', value: '2.5.0' } },
      region: { pick: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'US' }, value: 'us' } } },
    });
    let edits = withEdit({}, 'fail_reason', 'value', { type: 'plain_text_input', value: 'disk full' });
    edits = withEdit(edits, 'region', 'pick', { type: 'static_select', selected_option: null });
    expect(collectStateValues(blocks, edits)).toMatchObject({
      fail_reason: { value: { value: 'disk full' } },
      region: { pick: { selected_option: null } },
    });
  });

  it('names the required inputs left empty, as Slack refuses to submit them', () => {
    const cleared = withEdit({}, 'region', 'pick', { type: 'static_select', selected_option: null });
    expect(missingRequired(blocks, collectStateValues(blocks, cleared))).toEqual({
      fail_reason: 'Please complete this required field.',
      region: 'Please complete this required field.',
    });
    const filled = withEdit(cleared, 'fail_reason', 'value', { type: 'plain_text_input', value: ' ' });
    expect(Object.keys(missingRequired(blocks, collectStateValues(blocks, filled)))).toEqual(['region']);
  });
});

describe('modal', () => {
  const view: ViewState = {
    id: 'V000000001',
    user: 'UOPS',
    view: {
      type: 'modal',
      title: { type: 'plain_text', text: 'Fail step' },
      submit: { type: 'plain_text', text: 'Fail step' },
      close: { type: 'plain_text', text: 'Cancel' },
      callback_id: 'fail_reason',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Mark *Build* as failed.' } }, reason],
    },
    errors: { fail_reason: 'The reason is required' },
  };
  const modal = (v: ViewState, active = true) =>
    render(<Modal view={v} active={active} onSubmit={async () => ({ ok: true, status: 200 })} onClose={noop} onAction={noop} />);

  it('renders title, blocks, errors and Submit/Close', () => {
    const html = modal(view);
    expect(html).toContain('data-testid="modal" data-view-id="V000000001"');
    expect(html).toContain('<div class="dialog-title">Fail step</div>');
    expect(html).toContain('Mark <b>Build</b> as failed.');
    expect(html).toContain('data-testid="input-fail_reason"');
    expect(html).toContain('<div class="input-error" role="alert" data-testid="error-fail_reason">The reason is required</div>');
    expect(html).toContain('<button type="button" class="btn" data-testid="modal-close">Cancel</button>');
    expect(html).toContain('<button type="submit" class="btn btn-primary" data-testid="modal-submit">Fail step</button>');
  });

  it('has no Submit when the view has none', () => {
    const html = modal({ ...view, view: { ...view.view, submit: null, close: null } });
    expect(html).not.toContain('modal-submit');
    expect(html).toContain('data-testid="modal-close">Cancel</button>');
  });

  it('marks a modal beneath the top one so tests find only the top', () => {
    expect(modal(view, false)).toContain('class="overlay overlay-behind"><form class="dialog modal" role="dialog" aria-modal="true" aria-label="Fail step" data-testid="modal-beneath"');
  });
});
