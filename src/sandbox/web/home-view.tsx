// The app's Home tab: the view the bot published for this user (views.publish).
import { Blocks } from './blocks.js';
import type { OnAction } from './elements.js';
import type { View } from './types.js';

export function HomeView({ appName, view, onAction }: { appName: string; view: View | undefined; onAction: OnAction }) {
  return (
    <section class="channel home" aria-label={`${appName} Home`} data-testid="home">
      <header class="pane-header">
        <div class="pane-title">{appName} · Home</div>
      </header>
      <div class="home-body">{view ? <Blocks blocks={view.blocks} onAction={onAction} /> : <div class="empty">Waiting for the bot to publish your Home tab…</div>}</div>
    </section>
  );
}
