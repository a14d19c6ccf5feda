import { describe, expect, it } from 'vitest';

import { MessageView } from '../../src/sandbox/web/message.js';
import type { Message } from '../../src/sandbox/web/types.js';
import { noop, render, T0 } from './support.js';

const msg = (over: Partial<Message> = {}): Message => ({ channel: 'COPS', ts: `${T0}.000100`, text: 'hello', ...over });

describe('message', () => {
  it('carries test ids and the ts, and shows a person by name', () => {
    const html = render(<MessageView message={msg({ user: 'UAPP' })} onAction={noop} />);
    expect(html).toContain('<div class="message" data-testid="message" data-ts="1700000000.000100" data-channel="COPS">');
    expect(html).toContain('<span class="message-author">arthur</span><time');
    expect(html).not.toContain('app-badge');
  });

  it("renders the text as mrkdwn when there are no blocks, escaped once", () => {
    const html = render(<MessageView message={msg({ bot_id: 'B1', text: '*Run* &lt;b&gt;x&lt;/b&gt;' })} onAction={noop} />);
    expect(html).toContain('<div class="mk-p"><b>Run</b> &lt;b>x&lt;/b></div>');
  });

  it('shows another app under the username it posted with', () => {
    expect(render(<MessageView message={msg({ bot_id: 'B2', username: 'AlertManager' })} onAction={noop} />)).toContain(
      '<span class="message-author">AlertManager</span><span class="app-badge">APP</span>',
    );
  });

  it('marks an ephemeral message as only visible to you', () => {
    const html = render(<MessageView message={msg({ bot_id: 'B1', ephemeral_to: 'UOPS' })} onAction={noop} />);
    expect(html).toContain('<div class="message ephemeral" data-testid="message"');
    expect(html).toContain('<div class="ephemeral-note">Only visible to you</div>');
  });

  it('shows the reply count when the thread can be opened', () => {
    expect(render(<MessageView message={msg()} replyCount={3} onAction={noop} onOpenThread={noop} />)).toContain(
      '<button type="button" class="message-replies" data-testid="replies">3 replies</button>',
    );
    expect(render(<MessageView message={msg()} replyCount={1} onAction={noop} onOpenThread={noop} />)).toContain('>1 reply</button>');
    expect(render(<MessageView message={msg()} replyCount={0} onAction={noop} onOpenThread={noop} />)).not.toContain('replies');
  });

  it('has no (edited) until the message was replaced', () => {
    expect(render(<MessageView message={msg()} onAction={noop} />)).not.toContain('(edited)');
  });
});
