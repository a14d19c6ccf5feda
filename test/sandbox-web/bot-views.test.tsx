// The bot's real views (src/bot/views), rendered as the sandbox shows them: what a person
// trying the bot in the sandbox sees is what these builders produce.
import { describe, expect, it } from 'vitest';

import { buildFailModal } from '../../src/bot/views/fail-modal.js';
import { buildHelp } from '../../src/bot/views/help.js';
import { buildInputsModal } from '../../src/bot/views/inputs-modal.js';
import { buildRunMessage } from '../../src/bot/views/run-message.js';
import { Blocks } from '../../src/sandbox/web/blocks.js';
import { MessageView } from '../../src/sandbox/web/message.js';
import { Modal } from '../../src/sandbox/web/modal.js';
import type { Block, Message, View } from '../../src/sandbox/web/types.js';
import { NOW, begin } from '../engine/support/runbook.js';
import { noop, render } from './support.js';

const asBlocks = (blocks: unknown[]) => blocks as Block[];

describe("the bot's views in the sandbox", () => {
  it("renders a run's live message: header, context with a date, progress, step and buttons", () => {
    const { run } = begin({ name: 'Deploy <web> & co', steps: [{ label: 'Build', instruction: 'Run `make` in *prod*' }, { label: 'Ship' }] });
    const message = buildRunMessage(run, { now: NOW + 5_000 });
    const html = render(<Blocks blocks={asBlocks(message.blocks)} onAction={noop} />);
    // The run name was escaped by the bot and is shown as typed, once.
    expect(html).toContain('<div class="blk-header">');
    expect(html).toContain('Deploy &lt;web> &amp; co</div>');
    expect(html).toMatch(/<time class="mk-date" datetime="2026-11-22T12:00:00.000Z" title="[^"]+">[^<]*12:00 PM<\/time>/);
    expect(html).toContain('Run <code class="mk-code">make</code> in <b>prod</b>');
    expect(html).toContain('data-testid="button-run_done"');
    expect(html).toContain('class="btn btn-danger" data-testid="button-run_cancel"');
    expect(html).not.toContain('[unsupported');
  });

  it('renders the help message with its code spans', () => {
    const help = buildHelp();
    const html = render(<Blocks blocks={asBlocks(help.blocks)} onAction={noop} />);
    expect(html).toContain('<code class="mk-code">/runbook start NAME [key=value ...]</code>');
    expect(html).not.toContain('[unsupported');
  });

  it('renders the fail modal with its multiline input and hint', () => {
    const view = buildFailModal({ run_id: 'run_a', step_id: 'rbs_1', visit: 1, channel_id: 'COPS', message_ts: '1.2', stepLabel: 'Build <it>' });
    const html = render(
      <Modal view={{ id: 'V1', user: 'UOPS', view: view as unknown as View }} active onSubmit={async () => ({ ok: true, status: 200 })} onClose={noop} onAction={noop} />,
    );
    expect(html).toContain('<div class="dialog-title">Fail step</div>');
    expect(html).toContain('Mark <b>Build &lt;it></b> as failed.');
    expect(html).toMatch(/<textarea rows="4" id="[^"]+" class="text-input" data-testid="input-fail_reason" maxlength="3000"/);
    expect(html).toContain('data-testid="modal-submit">Fail step</button>');
  });

  it('renders the inputs modal with initial values and optional inputs', () => {
    const view = buildInputsModal({
      runbook: {
        id: 'rnb_1',
        name: 'Deploy',
        version: 2,
        variables: [
          { name: 'version', description: 'Which version', required: true, default: '2.5.0' },
          { name: 'note', description: '', required: false, default: null },
        ],
      },
      values: {},
      context: { runbook_id: 'rnb_1', channel_id: 'COPS', origin: 'command' },
    });
    const html = render(
      <Modal view={{ id: 'V2', user: 'UOPS', view: view as unknown as View, errors: { 'var:version': 'version must look like 1.2.3' } }} active onSubmit={async () => ({ ok: true, status: 200 })} onClose={noop} onAction={noop} />,
    );
    expect(html).toContain('Runbook <b>Deploy</b> · version 2');
    expect(html).toMatch(/data-testid="input-var:version" maxlength="\d+" value="2.5.0"/);
    expect(html).toContain('data-testid="error-var:version">version must look like 1.2.3</div><div class="input-hint">Which version</div>');
    expect(html).toContain('note<span class="input-optional"> (optional)</span>');
  });

  it('shows a message from the bot with its name, time, APP badge and (edited)', () => {
    const message: Message = { channel: 'COPS', ts: '1700000000.000100', user: 'UBOT', bot_id: 'B0RUNBOOK', text: 'fallback', edited: true, blocks: asBlocks(buildHelp().blocks) };
    const html = render(<MessageView message={message} onAction={noop} />);
    expect(html).toContain('<span class="message-author">runbook-bot</span><span class="app-badge">APP</span><time class="message-time"');
    expect(html).toContain('>10:13 PM</time>');
    expect(html).toContain('<span class="message-edited">(edited)</span>');
    expect(html).not.toContain('fallback');
  });
});
