/** The 003 event types outbound webhooks carry (a target subscribes to some, or `*`). */
export const WEBHOOK_EVENT_TYPES = [
  'Message',
  'ReadReceipt',
  'ChatPresence',
  'Presence',
  'Connected',
  'Disconnected',
  'LoggedOut',
  'QR',
  'GrabCompleted',
  'MessageFailed',
  'CampaignProgress',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const ALL_EVENTS = '*';

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}
