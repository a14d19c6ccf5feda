// The thread pane on the right: the parent message, its replies and a composer.
import type { ApiResult } from './api.js';
import { useStickToBottom } from './channel-view.js';
import { Composer } from './composer.js';
import { MessageView, type MessageProps } from './message.js';
import type { Message, SandboxChannel } from './types.js';

export interface ThreadPaneProps {
  channel: SandboxChannel;
  parent: Message | undefined;
  replies: Message[];
  onAction: MessageProps['onAction'];
  onCommand: (text: string) => Promise<ApiResult>;
  onClose: () => void;
}

export function ThreadPane({ channel, parent, replies, onAction, onCommand, onClose }: ThreadPaneProps) {
  const { ref, onScroll } = useStickToBottom(replies.length);
  return (
    <aside class="thread" data-testid="thread" aria-label="Thread">
      <header class="pane-header">
        <div class="pane-title">
          Thread <span class="pane-subtitle"># {channel.name}</span>
        </div>
        <button type="button" class="modal-x" aria-label="Close thread" data-testid="thread-close" onClick={onClose}>
          ×
        </button>
      </header>
      <div class="message-list" ref={ref} onScroll={onScroll}>
        {parent ? <MessageView message={parent} onAction={onAction} /> : <div class="empty">The thread's first message was deleted.</div>}
        <div class="thread-divider">
          {replies.length} {replies.length === 1 ? 'reply' : 'replies'}
        </div>
        {replies.map((m) => (
          <MessageView key={m.ts} message={m} onAction={onAction} />
        ))}
      </div>
      {/* Slash commands carry no thread: what the bot answers lands where it posts it. */}
      <Composer placeholder="Reply… (/runbook commands only)" onCommand={onCommand} testId="thread-composer" />
    </aside>
  );
}
