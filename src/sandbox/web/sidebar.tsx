// The left column: workspace name, the app's Home and the channels.
import type { SandboxChannel } from './types.js';

export type Place = { kind: 'channel'; id: string } | { kind: 'home' };

export interface SidebarProps {
  team: string;
  appName: string;
  channels: SandboxChannel[];
  place: Place;
  onSelect: (place: Place) => void;
}

export function Sidebar({ team, appName, channels, place, onSelect }: SidebarProps) {
  const item = (selected: boolean) => (selected ? 'side-item selected' : 'side-item');
  return (
    <nav class="sidebar" aria-label="Workspace">
      <div class="side-team">{team}</div>
      <div class="side-section">Apps</div>
      <button type="button" class={item(place.kind === 'home')} data-testid="nav-home" onClick={() => onSelect({ kind: 'home' })}>
        <span class="side-icon">⌂</span> {appName} · Home
      </button>
      <div class="side-section">Channels</div>
      {channels.map((c) => (
        <button
          type="button"
          key={c.id}
          class={item(place.kind === 'channel' && place.id === c.id)}
          data-testid={`nav-channel-${c.id}`}
          onClick={() => onSelect({ kind: 'channel', id: c.id })}
        >
          <span class="side-icon">#</span> {c.name}
        </button>
      ))}
    </nav>
  );
}
