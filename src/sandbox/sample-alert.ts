// The alert the sandbox's "Post a sample alert" button sends: Alertmanager's default Slack
// message for a service that went down on the demo device, as Alertmanager renders it
// (an attachment whose title carries the status, alert name and group labels). The bot
// reads it like any alert in a watched channel and suggests the Service Restart playbook;
// the sandbox crashes that service first, so the playbook has something to repair.
import { DEMO_DEVICE_ID, DEMO_SERVICES } from './demo/demo-device.js';
import { ALERTMANAGER_APP } from './people.js';

/** The service the alert reports down. */
export const SAMPLE_ALERT_SERVICE = DEMO_SERVICES.web;

export function sampleAlertAttachments(): Record<string, unknown>[] {
  const title = `[FIRING:1] ServiceDown (${DEMO_DEVICE_ID} ${SAMPLE_ALERT_SERVICE} critical)`;
  return [
    {
      id: 1,
      color: 'danger',
      fallback: `${title} | http://127.0.0.1:9093/#/alerts?receiver=sandbox`,
      title,
      title_link: 'http://127.0.0.1:9093/#/alerts?receiver=sandbox',
      text: `*Alert:* ${SAMPLE_ALERT_SERVICE} is down on ${DEMO_DEVICE_ID}\n*Labels:* alertname=ServiceDown, instance=${DEMO_DEVICE_ID}, service=${SAMPLE_ALERT_SERVICE}, severity=critical`,
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
