import { EventEmitter2 } from '@nestjs/event-emitter';
import { CampaignEvents, type CampaignProgressEvent } from '../../src/campaigns/campaign-events';
import { nextEmitted } from './next-emitted';
import type { TestApp } from './test-app';
import { WebhookReceiver } from './webhook-receiver';

/** Resolves with the next `campaign.progress` of a campaign that matches `predicate`. */
export function nextProgress(
  gateway: TestApp,
  campaignId: string,
  predicate: (event: CampaignProgressEvent) => boolean,
  timeoutMs = 60_000,
): Promise<CampaignProgressEvent> {
  return nextEmitted<CampaignProgressEvent>(
    gateway.app.get(EventEmitter2),
    CampaignEvents.Progress,
    (event) => event.campaignId === campaignId && predicate(event),
    timeoutMs,
    `progress of campaign ${campaignId}`,
  );
}

/** Every recipient has left `pending` and `queued`, and none waits for a receipt still. */
export const settledWith =
  (states: ('delivered' | 'read')[]) =>
  (event: CampaignProgressEvent): boolean =>
    event.counts.pending === 0 &&
    event.counts.queued === 0 &&
    event.counts.sent === 0 &&
    (!states.includes('read') || event.counts.delivered === 0);

/** A campaign as `GET /sessions/:id/campaigns/:cid` answers it (the fields the tests read). */
export interface CampaignView {
  id: string;
  nextSendAt: string | null;
  state: string;
  pauseReason: string | null;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  totalRecipients: number;
  counts: Record<string, number>;
}

/** The campaign as the API shows it now. */
export async function campaignView(
  gateway: TestApp,
  sessionId: string,
  campaignId: string,
): Promise<CampaignView> {
  const response = await gateway.request(`/sessions/${sessionId}/campaigns/${campaignId}`);
  return ((await response.json()) as { data: CampaignView }).data;
}

/** Resolves once the campaign is completed (at once when it already is). */
export async function completion(
  gateway: TestApp,
  sessionId: string,
  campaignId: string,
): Promise<void> {
  const completed = nextProgress(gateway, campaignId, (event) => event.state === 'completed');
  if ((await campaignView(gateway, sessionId, campaignId)).state !== 'completed') {
    await completed;
  }
  completed.catch(() => undefined);
}

/** A webhook receiver subscribed to the session's `CampaignProgress` events (stop it after). */
export async function progressWebhooks(
  gateway: TestApp,
  sessionId: string,
): Promise<WebhookReceiver> {
  const receiver = await WebhookReceiver.start();
  const target = await gateway.post(`/sessions/${sessionId}/webhooks`, {
    url: receiver.url,
    events: ['CampaignProgress'],
  });
  if (target.status !== 201) {
    await receiver.stop();
    throw new Error(`webhook target not created: ${target.status} ${await target.text()}`);
  }
  return receiver;
}
