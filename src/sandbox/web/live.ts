// Keeps the page's copy of the sandbox current for one user: the event stream, and a fresh
// state at every (re)connect so nothing sent while disconnected is missed.
import { useEffect, useState } from 'preact/hooks';

import { HttpError, type SandboxApi } from './api.js';
import { applyEvent } from './store.js';
import type { SandboxEvent, SandboxState } from './types.js';

const RETRY_MS = 2000;

export interface LiveError {
  message: string;
  /** The HTTP status when the server answered; null when it could not be reached. */
  status: number | null;
}

function liveError(err: unknown): LiveError {
  return { message: err instanceof Error ? err.message : String(err), status: err instanceof HttpError ? err.status : null };
}

export interface Live {
  data: SandboxState | null;
  connected: boolean;
  error: LiveError | null;
  /** For local changes that the server confirms later (a modal closed by the user). */
  apply: (event: SandboxEvent) => void;
}

export function useSandbox(api: SandboxApi, user: string): Live {
  const [data, setData] = useState<SandboxState | null>(null);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<LiveError | null>(null);

  useEffect(() => {
    let closed = false;
    if (user === '') {
      // First visit: no one to act as yet. The state names the users; the caller picks one.
      api.state('').then(
        (s) => !closed && setData(s),
        (err: unknown) => !closed && setError(liveError(err)),
      );
      return () => {
        closed = true;
      };
    }
    // Events that arrive while a state is being fetched may be newer than it: they are held
    // and applied on top of it. Applying one that the state already has changes nothing.
    let held: SandboxEvent[] | null = null;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      const mine = ++attempt;
      held = [];
      api.state(user).then(
        (state) => {
          if (closed || mine !== attempt) return;
          const next = (held ?? []).reduce(applyEvent, state);
          held = null;
          setData(next);
          setError(null);
        },
        (err: unknown) => {
          if (closed || mine !== attempt) return;
          held = null;
          setError(liveError(err));
          retry = setTimeout(load, RETRY_MS);
        },
      );
    };
    const stop = api.subscribe(user, {
      onOpen: () => {
        setConnected(true);
        clearTimeout(retry);
        load();
      },
      onError: () => setConnected(false),
      onEvent: (event) => {
        if (held !== null) held.push(event);
        else setData((d) => (d === null ? d : applyEvent(d, event)));
      },
    });
    // Not waiting for the stream: a user the server refuses shows up here as an HTTP error.
    load();
    return () => {
      closed = true;
      clearTimeout(retry);
      stop();
      setConnected(false);
    };
  }, [api, user]);

  return { data, connected, error, apply: (event) => setData((d) => (d === null ? d : applyEvent(d, event))) };
}
