// The alert the sandbox's "Post a sample alert" button sends: Alertmanager's default Slack
// message for a service that went down on the demo device, as Alertmanager renders it
// (an attachment whose title carries the status, alert name and group labels). The bot
// reads it like any alert in a watched channel and suggests the Service Restart playbook.
import { ALERTMANAGER_APP } from './people.js';

export const SAMPLE_ALERT_DEVICE = 'demo-01';

export function sampleAlertAttachments(): Record<string, unknown>[] {
  const title = `[FIRING:1] ServiceDown (${SAMPLE_ALERT_DEVICE} nginx critical)`;
  return [
    {
      id: 1,
      color: 'danger',
      fallback: `${title} | http://127.0.0.1:9093/#/alerts?receiver=sandbox`,
      title,
      title_link: 'http://127.0.0.1:9093/#/alerts?receiver=sandbox',
      text: `*Alert:* nginx is down on ${SAMPLE_ALERT_DEVICE}\n*Labels:* alertname=ServiceDown, instance=${SAMPLE_ALERT_DEVICE}, service=nginx, severity=critical`,
      mrkdwn_in: ['fallback', 'pretext', 'text'],
    },
  ];
}

/** The Events API delivery Slack sends the bot for that message. */
export function sampleAlertEvent(channel: string, ts: string, attachments: unknown[]): Record<string, unknown> {
  return {
    type: 'event_callback',
    event_id: `Ev${ts.replace('.', '')}`,
    event_time: Math.floor(Number(ts)),
    event: {
      type: 'message',
      subtype: 'bot_message',
      text: '',
      ts,
      username: ALERTMANAGER_APP.username,
      bot_id: ALERTMANAGER_APP.botId,
      attachments,
      channel,
      event_ts: ts,
      channel_type: 'channel',
    },
  };
}
