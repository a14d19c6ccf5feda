// A channel: its header (with the sample-alert button), its messages and the composer.
import { useEffect, useRef } from 'preact/hooks';

import type { ApiResult } from './api.js';
import { Composer } from './composer.js';
import { MessageView, type MessageProps } from './message.js';
import type { Message, SandboxChannel } from './types.js';

export interface ChannelViewProps {
  channel: SandboxChannel;
  messages: Message[];
  replyCounts: Map<string, number>;
  onAction: MessageProps['onAction'];
  onOpenThread: (message: Message) => void;
  onCommand: (text: string) => Promise<ApiResult>;
  onPostAlert: () => void;
}

/** Keeps a list scrolled to its newest item when one arrives, unless the user scrolled up. */
export function useStickToBottom(count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [count]);
  const onScroll = () => {
    const el = ref.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  return { ref, onScroll };
}

export function ChannelView(props: ChannelViewProps) {
  const { channel, messages } = props;
  const { ref, onScroll } = useStickToBottom(messages.length);
  return (
    <section class="channel" aria-label={`#${channel.name}`}>
      <header class="pane-header">
        <div class="pane-title"># {channel.name}</div>
        <button type="button" class="btn btn-small" data-testid="post-alert" onClick={props.onPostAlert}>
          Post a sample alert
        </button>
      </header>
      <div class="message-list" ref={ref} onScroll={onScroll}>
        {messages.length === 0 && (
          <div class="empty">
            No messages yet. Type <code>/runbook help</code> below, or post a sample alert.
          </div>
        )}
        {messages.map((m) => (
          <MessageView
            key={`${m.channel}:${m.ts}`}
            message={m}
            replyCount={props.replyCounts.get(m.ts) ?? 0}
            onAction={props.onAction}
            onOpenThread={props.onOpenThread}
          />
        ))}
      </div>
      <Composer placeholder={`Message #${channel.name} — try /runbook help`} onCommand={props.onCommand} />
    </section>
  );
}
