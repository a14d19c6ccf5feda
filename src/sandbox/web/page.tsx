// The whole page for one user, from a state and callbacks: Slack's layout of sidebar,
// channel (or App Home), thread pane and open modals. No fetching here (app.tsx does it),
// so the page renders the same in tests as in the browser.
import type { ApiResult } from './api.js';
import { ChannelView } from './channel-view.js';
import type { ActionPayload } from './elements.js';
import { HomeView } from './home-view.js';
import { Modal } from './modal.js';
import { channelMessages, findMessage, homeView, openViews, replyCounts, threadReplies } from './store.js';
import { Sidebar, type Place } from './sidebar.js';
import { ThreadPane } from './thread-pane.js';
import { TopBar } from './top-bar.js';
import type { Message, SandboxState, StateValues } from './types.js';
import { WorkspaceContext, type Workspace } from './workspace.js';

export interface ThreadRef {
  channel: string;
  ts: string;
}

export interface PageHandlers {
  onUserChange: (user: string) => void;
  onPlace: (place: Place) => void;
  onOpenThread: (thread: ThreadRef | null) => void;
  onMessageAction: (message: Message, action: ActionPayload) => void;
  onViewAction: (viewId: string, action: ActionPayload) => void;
  onCommand: (channel: string, text: string) => Promise<ApiResult>;
  onPostAlert: (channel: string) => void;
  onSubmit: (viewId: string, values: StateValues) => Promise<ApiResult>;
  onCloseView: (viewId: string) => void;
  onDismissNotice: () => void;
}

export interface PageProps extends PageHandlers {
  data: SandboxState;
  user: string;
  connected: boolean;
  place: Place;
  thread: ThreadRef | null;
  notice: string | null;
  /** Dates and times; unset means the browser's locale and zone. */
  dates?: Workspace['dates'];
}

export function SandboxPage(props: PageProps) {
  const { data, user, place, thread } = props;
  const ws: Workspace = { users: data.users, channels: data.channels, bot: data.bot, dates: props.dates };
  const channel = place.kind === 'channel' ? data.channels.find((c) => c.id === place.id) : undefined;
  const threadChannel = thread ? data.channels.find((c) => c.id === thread.channel) : undefined;
  const views = openViews(data, user);
  const home = homeView(data, user);
  return (
    <WorkspaceContext.Provider value={ws}>
      <div class="app">
        <TopBar users={data.users} user={user} connected={props.connected} onUserChange={props.onUserChange} />
        <div class={thread ? 'workspace with-thread' : 'workspace'}>
          <Sidebar team={data.team.name} appName={data.bot.name} channels={data.channels} place={place} onSelect={props.onPlace} />
          <main class="main">
            {props.notice !== null && (
              <div class="notice" role="alert" data-testid="notice">
                <span>{props.notice}</span>
                <button type="button" class="modal-x" aria-label="Dismiss" onClick={props.onDismissNotice}>
                  ×
                </button>
              </div>
            )}
            {place.kind === 'home' && (
              <HomeView appName={data.bot.name} view={home} onAction={(a) => home?.id !== undefined && props.onViewAction(home.id, a)} />
            )}
            {channel && (
              <ChannelView
                channel={channel}
                messages={channelMessages(data, channel.id, user)}
                replyCounts={replyCounts(data, channel.id, user)}
                onAction={props.onMessageAction}
                onOpenThread={(m) => props.onOpenThread({ channel: m.channel, ts: m.ts })}
                onCommand={(text) => props.onCommand(channel.id, text)}
                onPostAlert={() => props.onPostAlert(channel.id)}
              />
            )}
          </main>
          {thread && threadChannel && (
            <ThreadPane
              channel={threadChannel}
              parent={findMessage(data, thread.channel, thread.ts)}
              replies={threadReplies(data, thread.channel, thread.ts, user)}
              onAction={props.onMessageAction}
              onCommand={(text) => props.onCommand(thread.channel, text)}
              onClose={() => props.onOpenThread(null)}
            />
          )}
        </div>
        {views.map((v, i) => (
          <Modal
            key={v.id}
            view={v}
            active={i === views.length - 1}
            onSubmit={(values) => props.onSubmit(v.id, values)}
            onClose={() => props.onCloseView(v.id)}
            onAction={(a) => props.onViewAction(v.id, a)}
          />
        ))}
      </div>
    </WorkspaceContext.Provider>
  );
}
