import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';

import { SandboxPage, type PageProps } from '../../src/sandbox/web/page.js';
import type { SandboxState } from '../../src/sandbox/web/types.js';
import { noop, state, WORKSPACE } from './support.js';

const ok = async () => ({ ok: true, status: 200 });

function page(data: SandboxState, over: Partial<PageProps> = {}): string {
  return renderToString(
    <SandboxPage
      data={data}
      user="UOPS"
      connected
      place={{ kind: 'channel', id: 'COPS' }}
      thread={null}
      notice={null}
      dates={WORKSPACE.dates}
      onUserChange={noop}
      onPlace={noop}
      onOpenThread={noop}
      onMessageAction={noop}
      onViewAction={noop}
      onCommand={ok}
      onPostAlert={noop}
      onSubmit={ok}
      onCloseView={noop}
      onDismissNotice={noop}
      {...over}
    />,
  );
}

const data = state({
  messages: [
    { channel: 'COPS', ts: '1700000000.000100', bot_id: 'B1', text: 'Run *started*' },
    { channel: 'COPS', ts: '1700000001.000100', thread_ts: '1700000000.000100', bot_id: 'B1', text: 'Step one done' },
    { channel: 'COPS', ts: '1700000002.000100', bot_id: 'B1', text: 'just for arthur', ephemeral_to: 'UAPP' },
    { channel: 'CINC', ts: '1700000003.000100', bot_id: 'B1', text: 'elsewhere' },
  ],
  homes: { UOPS: { id: 'VHOME', type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Runbooks' } }] } },
  views: [
    { id: 'V1', user: 'UOPS', view: { type: 'modal', title: { type: 'plain_text', text: 'Start runbook' }, submit: { type: 'plain_text', text: 'Start' }, blocks: [] } },
    { id: 'V2', user: 'UAPP', view: { type: 'modal', title: { type: 'plain_text', text: 'Not mine' }, blocks: [] } },
  ],
});

describe('sandbox page', () => {
  it('lays out the workspace, the user switcher and the channel with its alert button and composer', () => {
    const html = page(data);
    expect(html).toContain('<div class="side-team">Fake Ops</div>');
    expect(html).toContain('data-testid="user-switcher"');
    expect(html).toContain('<option selected value="UOPS">Olivia Operator — On-call operator</option><option value="UAPP">Arthur Approver — Approver</option>');
    expect(html).toContain('<div class="pane-title"># ops</div>');
    expect(html).toContain('data-testid="post-alert">Post a sample alert</button>');
    expect(html).toContain('data-testid="composer"');
    expect(html).toContain('data-testid="send"');
  });

  it("shows the channel's top-level messages for this user, with reply counts", () => {
    const html = page(data);
    expect(html.match(/data-testid="message"/g)).toHaveLength(1);
    expect(html).toContain('data-ts="1700000000.000100"');
    expect(html).toContain('>1 reply</button>');
    expect(html).not.toContain('just for arthur');
    expect(html).not.toContain('elsewhere');
    expect(html).not.toContain('data-testid="thread"');
  });

  it("shows an approver their ephemeral message and modal, not the operator's", () => {
    const html = page(data, { user: 'UAPP' });
    expect(html).toContain('just for arthur');
    expect(html).toContain('Only visible to you');
    expect(html).toContain('aria-label="Not mine"');
    expect(html).not.toContain('Start runbook');
  });

  it('opens the thread pane with the parent and its replies', () => {
    const html = page(data, { thread: { channel: 'COPS', ts: '1700000000.000100' } });
    const thread = html.slice(html.indexOf('data-testid="thread"'));
    expect(thread).toContain('Run <b>started</b>');
    expect(thread).toContain('Step one done');
    expect(thread).toContain('data-testid="thread-composer"');
  });

  it('shows the open modal on top of the page', () => {
    const html = page(data);
    expect(html).toContain('data-testid="modal" data-view-id="V1"');
    expect(html).toContain('data-testid="modal-submit">Start</button>');
  });

  it("shows the user's App Home instead of a channel", () => {
    const html = page(data, { place: { kind: 'home' } });
    expect(html).toContain('data-testid="home"');
    expect(html).toContain('<div class="blk-header">Runbooks</div>');
    expect(html).not.toContain('data-testid="composer"');
  });

  it('waits for a Home the bot has not published yet', () => {
    expect(page(data, { user: 'UAPP', place: { kind: 'home' } })).toContain('Waiting for the bot to publish your Home tab');
  });

  it('shows a notice when something failed', () => {
    expect(page(data, { notice: 'The click failed: status 500' })).toContain('data-testid="notice"><span>The click failed: status 500</span>');
  });
});
