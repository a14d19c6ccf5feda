import { describe, expect, it } from 'vitest';

import { decodeRunActionValue } from '../../src/bot/action-value.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { blockActionPayload, DEFAULT_CHANNEL } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';

const rig = useBotRig();

function buttons(blocks: unknown[] | undefined): Array<{ action_id: string; value: string; text: { text: string } }> {
  return (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? ((b as { elements: never[] }).elements ?? []) : []));
}

describe('a run started from Slack', () => {
  it('posts the live message, advances on Done and tells the thread', async () => {
    const { fake, slack, publish } = rig();
    const name = await publish({ name: 'Two steps', steps: [{ label: 'First', instruction: 'Do it' }, { label: 'Second' }] });
    const reply = await slack.command({ text: `start ${name}` });
    expect(reply.status).toBe(200);
    const posted = await fake.waitForCall('chat.postMessage');
    const ts = posted.result?.ts as string;
    const done = buttons(fake.message(DEFAULT_CHANNEL.id, ts)?.blocks).find((b) => b.action_id === ActionId.Done);
    expect(done).toBeDefined();
    const click = await slack.action(blockActionPayload({ messageTs: ts, actionId: ActionId.Done, value: done!.value }));
    expect(click.status).toBe(200);
    await fake.waitForCall('chat.update');
    await fake.waitFor(() => fake.threadReplies(DEFAULT_CHANNEL.id, ts).length === 1);
    const run = await rig().app.service.get(decodeRunActionValue(done!.value).r);
    expect(run.current_step_id).toBe(run.runbook.steps[1]!.id);
    // The bot asked Slack who it is once, at start, not once per request.
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it("posts a step's full instruction in the thread when the message had to cut it", async () => {
    const { fake, slack, publish } = rig();
    const long = `${'Check every replica by hand. '.repeat(170)}THE END`;
    const name = await publish({ name: 'Long instruction', steps: [{ label: 'Read me', instruction: long }, { label: 'After' }] });
    const since = fake.calls.length;
    await slack.command({ text: `start ${name}` });
    const posted = await fake.waitForCall('chat.postMessage', (args) => args.thread_ts === undefined, { since });
    const ts = posted.result?.ts as string;
    const replies = await fake.waitFor(() => {
      const found = fake.threadReplies(DEFAULT_CHANNEL.id, ts);
      return found.length > 0 ? found : undefined;
    });
    expect(JSON.stringify(fake.message(DEFAULT_CHANNEL.id, ts)?.blocks)).toContain('full text in thread');
    expect(JSON.stringify(replies[0]?.blocks)).toContain('THE END');
    await rig().app.notifier?.idle();
    expect(fake.threadReplies(DEFAULT_CHANNEL.id, ts)).toHaveLength(1);
  });
});
