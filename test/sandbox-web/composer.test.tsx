import { describe, expect, it } from 'vitest';

import { Composer, commandFailure, parseComposerInput } from '../../src/sandbox/web/composer.js';
import { render } from './support.js';

describe('composer', () => {
  it('takes /runbook lines and passes on what follows, as Slack does', () => {
    expect(parseComposerInput('/runbook start deploy version=2')).toEqual({ kind: 'command', text: 'start deploy version=2' });
    expect(parseComposerInput('  /runbook   help  ')).toEqual({ kind: 'command', text: 'help' });
    expect(parseComposerInput('/runbook')).toEqual({ kind: 'command', text: '' });
    expect(parseComposerInput('/runbook start x\nnote=two lines')).toEqual({ kind: 'command', text: 'start x\nnote=two lines' });
  });

  it('refuses anything else', () => {
    expect(parseComposerInput('hello')).toEqual({ kind: 'not-a-command' });
    expect(parseComposerInput('/runbooks help')).toEqual({ kind: 'not-a-command' });
    expect(parseComposerInput('/deploy')).toEqual({ kind: 'not-a-command' });
    expect(parseComposerInput('   ')).toEqual({ kind: 'empty' });
  });

  it('says why a command failed', () => {
    expect(commandFailure({ ok: false, status: 500, error: 'dispatch_failed' })).toBe('dispatch_failed');
    expect(commandFailure({ ok: false, status: 404 })).toBe('The command failed (status 404)');
  });

  it('renders the box and send button with their test ids', () => {
    const html = render(<Composer placeholder="Message #ops" onCommand={async () => ({ ok: true, status: 200 })} />);
    expect(html).toBe(
      '<div class="composer"><div class="composer-box">' +
        '<textarea class="composer-input" data-testid="composer" rows="1" placeholder="Message #ops"></textarea>' +
        '<button type="button" class="btn btn-primary composer-send" data-testid="send">Send</button></div></div>',
    );
    const thread = render(<Composer placeholder="Reply" testId="thread-composer" onCommand={async () => ({ ok: true, status: 200 })} />);
    expect(thread).toContain('data-testid="thread-composer"');
    expect(thread).toContain('data-testid="thread-send"');
  });
});
