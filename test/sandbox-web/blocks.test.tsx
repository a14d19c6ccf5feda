import { describe, expect, it } from 'vitest';

import { Blocks } from '../../src/sandbox/web/blocks.js';
import type { ActionPayload } from '../../src/sandbox/web/elements.js';
import type { Block } from '../../src/sandbox/web/types.js';
import { noop, render } from './support.js';

const blocks = (list: unknown[], onAction: (a: ActionPayload) => void = noop) => render(<Blocks blocks={list as Block[]} onAction={onAction} />);
const one = (block: unknown) => blocks([block]).replace(/^<div class="blocks">/, '').replace(/<\/div>$/, '');

describe('Block Kit blocks', () => {
  it('renders a header as plain text', () => {
    expect(one({ type: 'header', text: { type: 'plain_text', text: '✅ Deploy *v2* &lt;' } })).toBe('<div class="blk-header">✅ Deploy *v2* &amp;lt;</div>');
  });

  it('renders a section with mrkdwn text', () => {
    expect(one({ type: 'section', text: { type: 'mrkdwn', text: '*Step 1/3* · Build' } })).toBe(
      '<div class="blk-section"><div class="blk-section-body"><div class="mrkdwn"><div class="mk-p"><b>Step 1/3</b> · Build</div></div></div></div>',
    );
  });

  it('renders a section with plain_text', () => {
    expect(one({ type: 'section', text: { type: 'plain_text', text: 'as *is*' } })).toContain('<span class="plain-text">as *is*</span>');
  });

  it('renders section fields in a grid', () => {
    const html = one({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Device*\nrouter-1' },
        { type: 'plain_text', text: 'Online' },
      ],
    });
    expect(html).toContain('<div class="blk-fields"><div class="blk-field"><div class="mrkdwn"><div class="mk-p"><b>Device</b>\nrouter-1</div></div></div>');
    expect(html).toContain('<div class="blk-field"><span class="plain-text">Online</span></div></div>');
  });

  it('renders a section accessory button', () => {
    const html = one({
      type: 'section',
      block_id: 'rb',
      text: { type: 'mrkdwn', text: '*Deploy*' },
      accessory: { type: 'button', action_id: 'start_runbook', text: { type: 'plain_text', text: 'Start' }, value: '{"rb":"rnb_1"}', accessibility_label: 'Start Deploy' },
    });
    expect(html).toContain(
      '<div class="blk-accessory"><button type="button" class="btn" data-testid="button-start_runbook" aria-label="Start Deploy">Start</button></div>',
    );
  });

  it('renders context elements: mrkdwn, plain_text and images', () => {
    expect(
      one({
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'by <@UOPS>' },
          { type: 'plain_text', text: 'v3' },
          { type: 'image', image_url: 'https://example.com/i.png', alt_text: 'icon' },
        ],
      }),
    ).toBe(
      '<div class="blk-context">' +
        '<span class="context-text"><div class="mrkdwn"><div class="mk-p">by <span class="mk-mention" data-user="UOPS">@olivia</span></div></div></span>' +
        '<span class="context-text"><span class="plain-text">v3</span></span>' +
        '<img class="context-img" src="https://example.com/i.png" alt="icon"/>' +
        '</div>',
    );
  });

  it('renders a divider', () => {
    expect(one({ type: 'divider' })).toBe('<hr class="blk-divider"/>');
  });

  it('renders actions: buttons styled by style, with test ids by action_id', () => {
    const html = one({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'run_done', text: { type: 'plain_text', text: 'Done' }, style: 'primary', value: 'v1' },
        { type: 'button', action_id: 'run_cancel', text: { type: 'plain_text', text: 'Cancel' }, style: 'danger', value: 'v2' },
        { type: 'button', action_id: 'run_pause', text: { type: 'plain_text', text: 'Pause' } },
      ],
    });
    expect(html).toBe(
      '<div class="blk-actions">' +
        '<button type="button" class="btn btn-primary" data-testid="button-run_done">Done</button>' +
        '<button type="button" class="btn btn-danger" data-testid="button-run_cancel">Cancel</button>' +
        '<button type="button" class="btn" data-testid="button-run_pause">Pause</button>' +
        '</div>',
    );
  });

  it('renders a url button as a link that opens in a new tab', () => {
    expect(one({ type: 'actions', elements: [{ type: 'button', action_id: 'docs', text: { type: 'plain_text', text: 'Docs' }, url: 'https://example.com/docs' }] })).toBe(
      '<div class="blk-actions"><a class="btn" href="https://example.com/docs" target="_blank" rel="noopener noreferrer" data-testid="button-docs">Docs</a></div>',
    );
  });

  it('does not link a url button with an unsafe scheme', () => {
    const html = one({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x' }, url: 'javascript:alert(1)' }] });
    expect(html).not.toContain('href');
    expect(html).not.toContain('javascript');
  });

  it('renders a button with confirm as a button; the dialog waits for the click', () => {
    const html = one({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'run_cancel',
          text: { type: 'plain_text', text: 'Cancel' },
          confirm: { title: { type: 'plain_text', text: 'Cancel this run?' }, text: { type: 'plain_text', text: 'Sure?' } },
        },
      ],
    });
    expect(html).toContain('data-testid="button-run_cancel"');
    expect(html).not.toContain('data-testid="confirm"');
  });

  it('renders a static select in actions with its options and initial option', () => {
    const html = one({
      type: 'actions',
      elements: [
        {
          type: 'static_select',
          action_id: 'pick',
          placeholder: { type: 'plain_text', text: 'Choose' },
          options: [
            { text: { type: 'plain_text', text: 'One' }, value: '1' },
            { text: { type: 'plain_text', text: 'Two' }, value: '2' },
          ],
          initial_option: { text: { type: 'plain_text', text: 'Two' }, value: '2' },
        },
      ],
    });
    expect(html).toBe(
      '<div class="blk-actions"><select class="select" data-testid="select-pick">' +
        '<option value disabled>Choose</option><option value="1">One</option><option selected value="2">Two</option>' +
        '</select></div>',
    );
  });

  it('renders an image block with its title', () => {
    expect(one({ type: 'image', image_url: 'https://example.com/graph.png', alt_text: 'CPU graph', title: { type: 'plain_text', text: 'CPU' } })).toBe(
      '<figure class="blk-image"><figcaption class="blk-image-title">CPU</figcaption><img class="image" src="https://example.com/graph.png" alt="CPU graph"/></figure>',
    );
  });

  it('shows unknown block and element types instead of dropping them', () => {
    expect(one({ type: 'rich_text', elements: [] })).toBe('<div class="unsupported blk-unsupported">[unsupported block: rich_text]</div>');
    expect(one({ type: 'actions', elements: [{ type: 'datepicker', action_id: 'd' }] })).toContain('[unsupported element: datepicker]');
  });

  it('renders nothing for no blocks', () => {
    expect(blocks([])).toBe('<div class="blocks"></div>');
  });
});
