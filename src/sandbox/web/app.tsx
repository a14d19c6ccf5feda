// The sandbox page wired to the server: who is acting, where they are, and what their
// clicks and commands send (api.ts). Rendering is page.tsx's.
import { useEffect, useState } from 'preact/hooks';

import { sandboxApi, type ApiResult, type SandboxApi } from './api.js';
import { useSandbox } from './live.js';
import { SandboxPage, type ThreadRef } from './page.js';
import type { Place } from './sidebar.js';

const USER_KEY = 'runbook-sandbox.user';

/** Who to act as: `?user=U…` in the address, else whoever acted last in this browser. */
export function initialUser(): string {
  const fromUrl = new URLSearchParams(location.search).get('user');
  if (fromUrl) return fromUrl;
  try {
    return localStorage.getItem(USER_KEY) ?? '';
  } catch {
    return ''; // storage blocked (private mode): start as the first user
  }
}

function rememberUser(user: string): void {
  try {
    localStorage.setItem(USER_KEY, user);
  } catch {
    // Only a convenience: the next visit starts as the first user.
  }
  const url = new URL(location.href);
  url.searchParams.set('user', user);
  history.replaceState(null, '', url);
}

function failure(what: string, result: ApiResult): string {
  return `${what} failed: ${result.error ?? `status ${result.status}`}`;
}

export function App({ api = sandboxApi }: { api?: SandboxApi }) {
  const [user, setUser] = useState(initialUser);
  const live = useSandbox(api, user);
  const [place, setPlace] = useState<Place | null>(null);
  const [thread, setThread] = useState<ThreadRef | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const data = live.data;

  // An unknown or missing user (first visit, or the server's users changed) becomes the first one.
  useEffect(() => {
    const first = data?.users[0];
    if (data && first && !data.users.some((u) => u.id === user)) setUser(first.id);
  }, [data, user]);

  useEffect(() => {
    if (user !== '') rememberUser(user);
  }, [user]);

  // A remembered user the server no longer knows: start over as its first user.
  const status = live.error?.status ?? null;
  const refused = live.data === null && user !== '' && status !== null && status < 500;
  useEffect(() => {
    if (refused) setUser('');
  }, [refused]);

  // Opening Home (or switching people while on it) is Slack's app_home_opened.
  const onHome = place?.kind === 'home';
  useEffect(() => {
    if (!onHome || user === '') return;
    void api.home({ user }).then((r) => !r.ok && setNotice(failure('Opening Home', r)));
  }, [api, onHome, user]);

  if (data === null || user === '' || !data.users.some((u) => u.id === user)) {
    return <div class="loading">{live.error ? `Cannot load the sandbox: ${live.error.message}` : 'Loading the sandbox…'}</div>;
  }
  const firstChannel = data.channels[0];
  const shown: Place = place ?? (firstChannel ? { kind: 'channel', id: firstChannel.id } : { kind: 'home' });
  const report = (what: string) => (r: ApiResult) => {
    if (!r.ok) setNotice(failure(what, r));
  };

  return (
    <SandboxPage
      data={data}
      user={user}
      connected={live.connected}
      place={shown}
      thread={thread}
      notice={notice}
      onUserChange={setUser}
      onPlace={(p) => {
        setPlace(p);
        setThread(null);
      }}
      onOpenThread={setThread}
      onMessageAction={(m, a) => {
        void api
          .action({ user, channel: m.channel, message_ts: m.ts, ...a, ...(m.thread_ts !== undefined && { thread_ts: m.thread_ts }) })
          .then(report('The click'));
      }}
      onViewAction={(viewId, a) => void api.action({ user, view_id: viewId, ...a }).then(report('The click'))}
      onCommand={(channel, text) => api.command({ user, channel, text })}
      onPostAlert={(channel) => void api.alert({ channel }).then(report('Posting the alert'))}
      onSubmit={async (viewId, values) => {
        const result = await api.submit({ user, view_id: viewId, values });
        // The server confirms with view_closed; closing now keeps a slow stream from leaving it up.
        if (result.ok) live.apply({ type: 'view_closed', id: viewId });
        return result;
      }}
      onCloseView={(viewId) => {
        live.apply({ type: 'view_closed', id: viewId });
        void api.close({ user, view_id: viewId }).then(report('Closing the modal'));
      }}
      onDismissNotice={() => setNotice(null)}
    />
  );
}
