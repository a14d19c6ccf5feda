// The sandbox's Slack workspace: the fake Web API the bot calls (SLACK_API_URL), what it
// holds turned into what a page shows, and what people do on the page turned into the
// signed requests Slack would send to the bot's /slack/events. The bot cannot tell it from
// Slack: same Web API client, same signed endpoint.
import { randomBytes } from 'node:crypto';

import { AppError, ErrorCode } from '../errors.js';
import { createLru } from '../lru.js';
import type { Logger } from '../logger.js';
import { FAKE_BOT, type FakeMessage, type FakeSlackEvent, startFakeSlack } from './fake-slack.js';
import { ALERTMANAGER_APP, SANDBOX_CHANNELS, SANDBOX_USERS, type SandboxUser } from './people.js';
import { EXAMPLE_RUNBOOK, ROLLBACK_RUNBOOK } from './example-runbook.js';
import { DEMO_DEVICE_ID, DEMO_SERVICES, type DemoDevice } from './demo/demo-device.js';
import { SAMPLE_ALERT_SERVICE, sampleAlertAttachments, sampleAlertEvent } from './sample-alert.js';
import type { WireMessage, WireView } from './wire.js';
import { appHomeOpenedEvent, blockActionPayload, createSlackSender, fakeTriggerId, type SlackSender, viewActionPayload, viewSubmissionPayload } from './slack-requests.js';

export type PageMessage = WireMessage;
export type PageView = WireView;

export type PageEvent =
  | { type: 'message'; message: PageMessage }
  | { type: 'delete'; channel: string; ts: string }
  | { type: 'view'; view: PageView }
  | { type: 'view_closed'; id: string }
  | { type: 'home'; user: string; view: Record<string, unknown> };

export interface ActResult {
  ok: boolean;
  status: number;
  error?: string;
  errors?: Record<string, string>;
}

/** Where an answer to a response URL goes: the person who acted, on what. */
interface ResponseTarget {
  user: string;
  channel: string;
  messageTs?: string;
  threadTs?: string;
}

export interface Workspace {
  apiUrl: string;
  signingSecret: string;
  /** The bot's Slack endpoint, once the service listens, and the demo device its alert breaks. */
  connect(botEventsUrl: string, demo: Pick<DemoDevice, 'crash'> | null): void;
  /** Every page event as it happens, with the person it is for (undefined: everyone). */
  onEvent(listener: (event: PageEvent, to?: string) => void): void;
  /** What `user` sees; null: what everyone sees (no ephemerals, modals or Home). */
  state(user: string | null): { messages: PageMessage[]; homes: Record<string, unknown>; views: PageView[] };
  command(user: SandboxUser, channel: string, text: string): Promise<ActResult>;
  messageAction(user: SandboxUser, act: { channel: string; messageTs: string; actionId: string; blockId: string; value?: string }): Promise<ActResult>;
  viewAction(user: SandboxUser, act: { viewId: string; actionId: string; blockId: string; value?: string; selectedOption?: { text: unknown; value: string } }): Promise<ActResult>;
  submit(user: SandboxUser, viewId: string, values: Record<string, Record<string, unknown>>): Promise<ActResult>;
  closeView(user: SandboxUser, viewId: string): void;
  openHome(user: SandboxUser): Promise<ActResult>;
  postSampleAlert(channel: string): Promise<ActResult>;
  /** The guide's first message in the channel: who is here and what to try. */
  welcome(channel: string, runbooks: string[], demo: boolean): void;
  close(): Promise<void>;
}

/** How many triggers, response URLs and view owners are remembered. */
const LINKS_KEPT = 1_000;

export async function startWorkspace(logger: Logger): Promise<Workspace> {
  const fake = await startFakeSlack({
    users: Object.fromEntries(SANDBOX_USERS.map((u) => [u.id, { name: u.name, real_name: u.real_name, tz: 'UTC' }])),
    channels: Object.fromEntries(SANDBOX_CHANNELS.map((c) => [c.id, { name: c.name, is_private: false }])),
  });
  // A fresh secret each start: only this process signs requests for its bot.
  const signingSecret = randomBytes(24).toString('hex');
  let sender: SlackSender | null = null;
  let demo: Pick<DemoDevice, 'crash'> | null = null;
  const listeners: Array<(event: PageEvent, to?: string) => void> = [];
  const emit = (event: PageEvent, to?: string) => listeners.forEach((l) => l(event, to));
  // Bounded: a trigger or response URL is used within seconds of the act that made it.
  const triggers = createLru<string>(LINKS_KEPT);
  const viewOwners = createLru<string>(LINKS_KEPT);
  const responseTargets = createLru<ResponseTarget>(LINKS_KEPT);
  const openViews = new Map<string, PageView>();
  /** Ephemerals (chat.postEphemeral and answers to response URLs), kept for the page's reloads. */
  const answered: PageMessage[] = [];
  let seq = 0;

  const responseUrl = (target: ResponseTarget): string => {
    seq += 1;
    const id = `sandbox-${seq}`;
    responseTargets.set(id, target);
    return fake.responseUrl(id);
  };
  const trigger = (user: string): string => {
    const id = fakeTriggerId();
    triggers.set(id, user);
    return id;
  };
  const bot = (): SlackSender => {
    if (!sender) throw new AppError(ErrorCode.Internal, 'the sandbox is not connected to the bot yet');
    return sender;
  };
  /** The bot's text and blocks in `content`, shown to `to.user` only. */
  const tell = (to: ResponseTarget, content: Record<string, unknown>, ts = nowTs()) => {
    const message: PageMessage = {
      channel: to.channel,
      ts,
      ...(to.threadTs && { thread_ts: to.threadTs }),
      bot_id: FAKE_BOT.botId,
      text: typeof content.text === 'string' ? content.text : '',
      ...(Array.isArray(content.blocks) && { blocks: content.blocks }),
      ephemeral_to: to.user,
    };
    answered.push(message);
    emit({ type: 'message', message }, to.user);
  };

  fake.subscribe((event) => {
    try {
      onFakeEvent(event);
    } catch (error) {
      logger.warn('sandbox could not show a Slack call', { error: (error as Error).message });
    }
  });

  function onFakeEvent(event: FakeSlackEvent): void {
    if (event.kind === 'response') return onResponse(event.response.id, event.response.body);
    const { call } = event;
    if (!call.ok) return;
    const args = call.args;
    const result = call.result ?? {};
    if (call.method === 'chat.postMessage' || call.method === 'chat.update') {
      const message = fake.message(String(result.channel), String(result.ts));
      if (message) emit({ type: 'message', message: pageMessage(message) });
    } else if (call.method === 'chat.postEphemeral') {
      const to = { user: String(args.user), channel: String(args.channel), ...(typeof args.thread_ts === 'string' && { threadTs: args.thread_ts }) };
      tell(to, args, String(result.message_ts));
    } else if (call.method === 'views.open' || call.method === 'views.push' || call.method === 'views.update') {
      const view = result.view as Record<string, unknown>;
      const id = String(view.id);
      const user = triggers.get(String(args.trigger_id)) ?? viewOwners.get(id);
      if (!user) return;
      viewOwners.set(id, user);
      const page: PageView = { id, user, view };
      openViews.set(id, page);
      emit({ type: 'view', view: page }, user);
    } else if (call.method === 'views.publish') {
      emit({ type: 'home', user: String(args.user_id), view: result.view as Record<string, unknown> }, String(args.user_id));
    }
  }

  /** What Slack does with a POST to a response URL. */
  function onResponse(id: string, body: Record<string, unknown>): void {
    const target = responseTargets.get(id);
    if (!target) return;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (body.delete_original === true && target.messageTs) {
      if (fake.remove(target.channel, target.messageTs)) emit({ type: 'delete', channel: target.channel, ts: target.messageTs });
      return;
    }
    if (body.replace_original === true && target.messageTs) {
      const edited = fake.edit(target.channel, target.messageTs, { text, ...(blocks && { blocks }) });
      if (edited) emit({ type: 'message', message: pageMessage(edited) });
      return;
    }
    if (body.response_type === 'in_channel') {
      const posted = fake.record({ channel: target.channel, ...(target.threadTs && { thread_ts: target.threadTs }), text, ...(blocks && { blocks }), user: FAKE_BOT.userId, bot_id: FAKE_BOT.botId });
      emit({ type: 'message', message: pageMessage(posted) });
      return;
    }
    tell(target, body);
  }

  /** An HTTP answer that is not a plain ack (a command's immediate text) shows like a response. */
  const result = (reply: { status: number; json?: unknown }, target: ResponseTarget): ActResult => {
    const json = reply.json as Record<string, unknown> | undefined;
    if (reply.status === 200 && json && (typeof json.text === 'string' || Array.isArray(json.blocks))) tell(target, json);
    return reply.status === 200 ? { ok: true, status: 200 } : { ok: false, status: reply.status, error: `the bot answered HTTP ${reply.status}` };
  };

  const ownView = (user: SandboxUser, viewId: string) => {
    const view = fake.view(viewId);
    if (!view || (viewOwners.get(viewId) ?? view.user_id) !== user.id) throw new AppError(ErrorCode.NotFound, `no open view ${viewId} for ${user.name}`);
    return view;
  };

  return {
    apiUrl: fake.apiUrl,
    signingSecret,
    connect(botEventsUrl, device) {
      sender = createSlackSender({ url: botEventsUrl, signingSecret });
      demo = device;
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    state(user) {
      const homes: Record<string, unknown> = {};
      const home = user === null ? undefined : fake.homeView(user);
      if (home && user) homes[user] = home.view;
      return {
        messages: [
          ...fake.messages().map(pageMessage),
          ...answered.filter((m) => m.ephemeral_to === user),
        ].sort((a, b) => Number(a.ts) - Number(b.ts)),
        homes,
        views: [...openViews.values()].filter((v) => v.user === user),
      };
    },
    async command(user, channel, text) {
      const target = { user: user.id, channel };
      const reply = await bot().command({ user_id: user.id, user_name: user.name, channel_id: channel, channel_name: channelName(channel), text, response_url: responseUrl(target), trigger_id: trigger(user.id) });
      return result(reply, target);
    },
    async messageAction(user, act) {
      const message = fake.message(act.channel, act.messageTs);
      if (!message) throw new AppError(ErrorCode.NotFound, `no message ${act.messageTs} in ${act.channel}`);
      const target = { user: user.id, channel: act.channel, messageTs: act.messageTs, ...(message.thread_ts && { threadTs: message.thread_ts }) };
      const payload = blockActionPayload({
        user: user.id,
        userName: user.name,
        channel: act.channel,
        messageTs: act.messageTs,
        actionId: act.actionId,
        blockId: act.blockId,
        ...(act.value !== undefined && { value: act.value }),
        responseUrl: responseUrl(target),
        triggerId: trigger(user.id),
        message: { text: message.text ?? '', blocks: message.blocks ?? [], ...(message.thread_ts && { thread_ts: message.thread_ts }) },
      });
      return result(await bot().action(payload), target);
    },
    async viewAction(user, act) {
      const view = ownView(user, act.viewId);
      const payload = viewActionPayload({ user: user.id, userName: user.name, actionId: act.actionId, blockId: act.blockId, ...(act.value !== undefined && { value: act.value }), ...(act.selectedOption && { selectedOption: act.selectedOption }), view: view.view, triggerId: trigger(user.id) });
      return result(await bot().action(payload), { user: user.id, channel: user.id });
    },
    async submit(user, viewId, values) {
      const view = ownView(user, viewId);
      const v = view.view;
      const reply = await bot().viewSubmission(
        viewSubmissionPayload({
          user: user.id,
          userName: user.name,
          viewId,
          callbackId: String(v.callback_id ?? ''),
          privateMetadata: String(v.private_metadata ?? ''),
          values,
          hash: view.hash,
          blocks: (v.blocks as unknown[] | undefined) ?? [],
        }),
      );
      const json = reply.json as { response_action?: string; errors?: Record<string, string> } | undefined;
      if (reply.status !== 200) return { ok: false, status: reply.status, error: `the bot answered HTTP ${reply.status}` };
      if (json?.response_action === 'errors' && json.errors) {
        const page = openViews.get(viewId);
        if (page) page.errors = json.errors;
        return { ok: false, status: 200, errors: json.errors };
      }
      openViews.delete(viewId);
      emit({ type: 'view_closed', id: viewId }, user.id);
      return { ok: true, status: 200 };
    },
    closeView(user, viewId) {
      if (openViews.get(viewId)?.user !== user.id) return;
      openViews.delete(viewId);
      emit({ type: 'view_closed', id: viewId }, user.id);
    },
    async openHome(user) {
      const home = fake.homeView(user.id);
      const reply = await bot().event(appHomeOpenedEvent({ user: user.id, ...(home && { view: home.view }) }));
      return result(reply, { user: user.id, channel: user.id });
    },
    async postSampleAlert(channel) {
      await demo?.crash(SAMPLE_ALERT_SERVICE);
      const attachments = sampleAlertAttachments();
      const posted = fake.record({ channel, text: '', attachments, user: ALERTMANAGER_APP.userId, bot_id: ALERTMANAGER_APP.botId, username: ALERTMANAGER_APP.username });
      emit({ type: 'message', message: pageMessage(posted) });
      const reply = await bot().event(sampleAlertEvent(channel, posted.ts, attachments));
      return result(reply, { user: ALERTMANAGER_APP.userId, channel });
    },
    welcome(channel, runbooks, withDemo) {
      const posted = fake.record({ channel, text: welcomeText(runbooks, withDemo), user: GUIDE.userId, bot_id: GUIDE.botId, username: GUIDE.username });
      emit({ type: 'message', message: pageMessage(posted) });
    },
    close: () => fake.close(),
  };
}

/** Not the bot: the sandbox itself, so nothing it says is mistaken for the bot's behaviour. */
const GUIDE = { botId: 'B0GUIDE', userId: 'U0GUIDE', username: 'Sandbox guide' } as const;

function welcomeText(runbooks: string[], demo: boolean): string {
  const demoLines = [
    `*The demo device \`${DEMO_DEVICE_ID}\`* is a real runner whose disk is a scratch folder and whose services (\`${DEMO_SERVICES.web}\`, \`${DEMO_SERVICES.cache}\`) it started itself, so the built-in playbooks run for real without touching this machine:`,
    `• *Post a sample alert*: \`${SAMPLE_ALERT_SERVICE}\` crashes and the alert's card offers Service Restart.`,
    `• \`/runbook start Disk Cleanup deviceId=${DEMO_DEVICE_ID}\`: its disk is over 90% full of old temp files and caches.`,
    `• \`/runbook start Memory Pressure Relief deviceId=${DEMO_DEVICE_ID} serviceName=${DEMO_SERVICES.cache}\`: the cache leaked memory (its wait is 5 minutes: *Skip* it).`,
    `• \`/runbook start ${ROLLBACK_RUNBOOK}\`: the new release fails its verify and the run rolls back.`,
  ];
  const people = SANDBOX_USERS.map((u) => `*${u.real_name}* (${u.title.toLowerCase()})`).join(', ');
  return [
    '*Welcome to the runbook-bot sandbox.* This channel is a local Slack: the bot talks to it exactly as it would to slack.com.',
    `Act as ${people}: switch at the top right.`,
    `Try \`/runbook start ${EXAMPLE_RUNBOOK}\` in the box below, \`/runbook list\` or \`/runbook help\`.`,
    ...(demo ? demoLines : ['*Post a sample alert* to see an alert card.']),
    runbooks.length > 0 ? `Published runbooks: ${runbooks.map((r) => `\`${r}\``).join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A Slack-style ts for what the page shows but the fake does not keep (answers to response URLs). */
function nowTs(): string {
  return (Date.now() / 1000).toFixed(6);
}

function channelName(id: string): string {
  return SANDBOX_CHANNELS.find((c) => c.id === id)?.name ?? id.toLowerCase();
}

/** An app's attachments (Alertmanager's) shown as the blocks Slack draws for them. */
function attachmentBlocks(attachments: unknown[]): unknown[] {
  return attachments.flatMap((a) => {
    const { title, text } = a as { title?: string; text?: string };
    const body = [title ? `*${title}*` : '', text ?? ''].filter(Boolean).join('\n');
    return body ? [{ type: 'section', text: { type: 'mrkdwn', text: body } }] : [];
  });
}

function pageMessage(m: FakeMessage): PageMessage {
  const blocks = m.blocks ?? (m.attachments ? attachmentBlocks(m.attachments) : undefined);
  return {
    channel: m.channel,
    ts: m.ts,
    ...(m.thread_ts && { thread_ts: m.thread_ts }),
    user: m.user,
    bot_id: m.bot_id,
    ...(m.username && { username: m.username }),
    text: m.text ?? '',
    ...(blocks && { blocks }),
    ...(m.edited && { edited: true }),
  };
}
