// The notifier against a real store and a real WebClient (Slack faked at HTTP), with its
// clock in the test's hands so the location cache can be made to expire at the worst time.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRunNotifier } from '../../src/bot/run-notifier.js';
import type { Run } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { createRunMessageStore } from '../../src/models/run-message-store.js';
import { alice, begin, done, NOW, step } from '../engine/support/runbook.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase();
let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});

const steps = { name: 'Three', steps: [{ label: 'One' }, { label: 'Two' }, { label: 'Three' }] };

describe('the run notifier', () => {
  it('posts each step reply once even when the location cache expires while a refresh reads it', async () => {
    let now = NOW;
    let latest: Run = begin(steps).run;
    const messages = createRunMessageStore(db.conn(), () => now);
    const notifier = createRunNotifier({
      client: new WebClient('xoxb-notifier-test', { slackApiUrl: fake.apiUrl }),
      messages,
      loadRun: async () => latest,
      clock: () => now,
      logger: silentLogger,
    });
    const { ts } = await notifier.publish(latest, { channel: 'C0NOTIFY' });

    for (let i = 0; i < 2; i += 1) {
      now += 60_000; // past the location cache's TTL
      latest = step(latest, done(alice), now).run;
      // The render reads the location, and a click's refresh reads it again before the render is done.
      notifier.render(latest);
      const refresh = notifier.location(latest.id);
      await refresh;
      await notifier.idle();
    }
    // Within the TTL: whatever the cache holds now must know both replies are posted.
    notifier.render(latest);
    await notifier.idle();

    expect(fake.threadReplies('C0NOTIFY', ts).map((m) => m.text)).toEqual([expect.stringContaining('One'), expect.stringContaining('Two')]);
    expect((await messages.get(latest.id))?.reported).toHaveLength(2);
  });
});
