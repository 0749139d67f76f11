import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CampaignEvents, type CampaignProgressEvent } from '../campaigns/campaign-events';
import { toSession } from './rooms';
import { SessionsGateway } from './sessions.gateway';

/** Fans a campaign's progress out to its session's rooms as `campaign_progress`. */
@Injectable()
export class CampaignEventsRelay {
  constructor(private readonly gateway: SessionsGateway) {}

  @OnEvent(CampaignEvents.Progress, { suppressErrors: true })
  onProgress(event: CampaignProgressEvent): void {
    if (!this.gateway.server) {
      return;
    }
    toSession(this.gateway.server, event.sessionId).emit('campaign_progress', {
      sessionId: event.sessionId,
      campaignId: event.campaignId,
      state: event.state,
      pauseReason: event.pauseReason,
      total: event.total,
      counts: event.counts,
      nextSendAt: event.nextSendAt?.toISOString() ?? null,
      timestamp: event.at.toISOString(),
    });
  }
}
