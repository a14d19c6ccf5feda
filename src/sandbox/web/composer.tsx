// The message box. The sandbox has no people to talk to, only the bot's slash command, so
// it takes `/runbook …` lines and says so when given anything else.
import { useState } from 'preact/hooks';

import type { ApiResult } from './api.js';

export type ComposerInput = { kind: 'command'; text: string } | { kind: 'not-a-command' } | { kind: 'empty' };

const COMMAND = /^\/runbook(?:\s+([\s\S]*))?$/;

/** What the box holds: the text after `/runbook` (as Slack passes it), or why it is not sent. */
export function parseComposerInput(raw: string): ComposerInput {
  const trimmed = raw.trim();
  if (trimmed === '') return { kind: 'empty' };
  const m = COMMAND.exec(trimmed);
  return m ? { kind: 'command', text: (m[1] ?? '').trim() } : { kind: 'not-a-command' };
}

export const NOT_A_COMMAND_HINT = 'The sandbox only takes /runbook commands, e.g. /runbook help';

export function commandFailure(result: ApiResult): string {
  if (result.error) return result.error;
  return `The command failed (status ${result.status})`;
}

export interface ComposerProps {
  placeholder: string;
  onCommand: (text: string) => Promise<ApiResult>;
  /** data-testid of the box; its send button gets `send` (or `thread-send`) to match. */
  testId?: 'composer' | 'thread-composer';
}

export function Composer({ placeholder, onCommand, testId = 'composer' }: ComposerProps) {
  const [text, setText] = useState('');
  const [hint, setHint] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const send = async () => {
    const input = parseComposerInput(text);
    if (input.kind === 'empty') return;
    if (input.kind === 'not-a-command') {
      setHint(NOT_A_COMMAND_HINT);
      return;
    }
    setSending(true);
    setHint(null);
    const result = await onCommand(input.text);
    setSending(false);
    if (result.ok) setText('');
    else setHint(commandFailure(result));
  };

  return (
    <div class="composer">
      <div class="composer-box">
        <textarea
          class="composer-input"
          data-testid={testId}
          rows={1}
          placeholder={placeholder}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (hint !== null) setHint(null);
          }}
          onKeyDown={(e) => {
            // Enter sends and Shift+Enter breaks the line, as in Slack.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button
          type="button"
          class="btn btn-primary composer-send"
          data-testid={testId === 'composer' ? 'send' : 'thread-send'}
          disabled={sending}
          onClick={() => void send()}
        >
          Send
        </button>
      </div>
      {hint !== null && (
        <div class="composer-hint" role="status" data-testid={`${testId}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
}
