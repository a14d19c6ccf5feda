// Alert cards as a test drives them: posting an alert to the webhook, finding the cards the
// bot posted in the alerts channel, and clicking a card's buttons as a user.
import { expect } from 'vitest';

import { createDeviceStore } from '../../../src/models/device-store.js';
import { blockActionPayload } from '../../support/slack-requests.js';
import type { BotRig } from './bot-rig.js';
import { buttons } from './slack-ui.js';

export function alertCards(rig: () => BotRig, opts: { token: string; channel: string }) {
  const { token, channel } = opts;

  /** The card's buttons (in actions blocks or beside a section) with their labels. */
  const cardButtons = (message: { blocks?: unknown[] } | undefined) => buttons(message?.blocks).map((b) => ({ ...b, label: b.text.text }));

  return {
    cardButtons,

    /** Devices the bot knows, as a runner's registration leaves them: an alert may then name them for sure. */
    async registerDevices(...ids: string[]): Promise<void> {
      const devices = createDeviceStore(rig().app.db.conn);
      for (const id of ids) {
        await devices.register({ id, hostname: id, os: { platform: 'linux', release: '6', arch: 'x64' }, tags: [], tools: [], runner_version: 'test', session: `${id}-test`, pid: 1 });
      }
    },

    async postAlert(body: Record<string, unknown>) {
      const res = await fetch(`http://127.0.0.1:${rig().app.port}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { alerts: Array<{ fingerprint: string; outcome: string }> };
    },

    /** Clicks a button on the card at `cardTs` as `user`; the answer, if any, arrives under `responseId`. */
    async clickCard(cardTs: string, label: string, user: { id: string; name: string }, responseId: string): Promise<void> {
      const { fake, slack } = rig();
      const message = fake.message(channel, cardTs);
      const button = cardButtons(message).find((b) => b.label === label);
      if (!button) throw new Error(`no "${label}" on the card`);
      const reply = await slack.action(
        blockActionPayload({
          channel,
          messageTs: cardTs,
          actionId: button.action_id,
          value: button.value ?? '',
          text: label,
          user: user.id,
          userName: user.name,
          responseUrl: fake.responseUrl(responseId),
          message: { blocks: message?.blocks ?? [] },
        }),
      );
      expect(reply.status).toBe(200);
    },

    /** The cards posted in the alerts channel since `since` calls. */
    cardsIn: (since: number) =>
      rig().fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts === undefined),
  };
}
