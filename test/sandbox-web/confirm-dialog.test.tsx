import { describe, expect, it } from 'vitest';

import { ConfirmDialog } from '../../src/sandbox/web/confirm-dialog.js';
import { noop, render } from './support.js';

describe('confirm dialog', () => {
  it("shows the bot's title, text and button labels, with a danger confirm", () => {
    const html = render(
      <ConfirmDialog
        confirm={{
          title: { type: 'plain_text', text: 'Cancel this run?' },
          text: { type: 'plain_text', text: 'The run stops. This cannot be undone.' },
          confirm: { type: 'plain_text', text: 'Cancel run' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        }}
        onConfirm={noop}
        onCancel={noop}
      />,
    );
    expect(html).toBe(
      '<div class="overlay overlay-confirm"><div class="dialog confirm" role="alertdialog" aria-modal="true" data-testid="confirm">' +
        '<div class="dialog-title">Cancel this run?</div>' +
        '<div class="dialog-body"><span class="plain-text">The run stops. This cannot be undone.</span></div>' +
        '<div class="dialog-buttons"><button type="button" class="btn" data-testid="confirm-no">Keep it</button>' +
        '<button type="button" class="btn btn-danger" data-testid="confirm-yes">Cancel run</button></div></div></div>',
    );
  });

  it('formats mrkdwn text and falls back to default labels', () => {
    const html = render(<ConfirmDialog confirm={{ text: { type: 'mrkdwn', text: 'Really *approve*?' } }} onConfirm={noop} onCancel={noop} />);
    expect(html).toContain('<div class="dialog-title">Are you sure?</div>');
    expect(html).toContain('Really <b>approve</b>?');
    expect(html).toContain('class="btn btn-primary" data-testid="confirm-yes">Yes</button>');
    expect(html).toContain('data-testid="confirm-no">Cancel</button>');
  });
});
