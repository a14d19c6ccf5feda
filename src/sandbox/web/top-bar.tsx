// The bar across the top: what this page is, who you are acting as, and whether live
// updates are flowing.
import type { SandboxUser } from './types.js';

export interface TopBarProps {
  users: SandboxUser[];
  user: string;
  connected: boolean;
  onUserChange: (id: string) => void;
}

export function TopBar({ users, user, connected, onUserChange }: TopBarProps) {
  return (
    <header class="topbar">
      <div class="topbar-title">runbook-bot sandbox</div>
      <div class={connected ? 'live live-on' : 'live live-off'} role="status">
        {connected ? 'live' : 'reconnecting…'}
      </div>
      <label class="topbar-user">
        Acting as{' '}
        <select class="select" data-testid="user-switcher" value={user} onChange={(e) => onUserChange(e.currentTarget.value)}>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.real_name || u.name}
              {u.title ? ` — ${u.title}` : ''}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}
