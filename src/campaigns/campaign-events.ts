import type { CampaignState } from './entities/campaign.entity';
import type { RecipientState } from './entities/campaign-recipient.entity';

/** Published on the bus; realtime relays them to socket.io as `campaign_progress`. */
export const CampaignEvents = {
  Progress: 'campaign.progress',
  /** Numbers were added to a session's opt-out list (committed). */
  OptedOut: 'campaign.opted_out',
} as const;

export interface OptedOutEvent {
  sessionId: string;
  phones: string[];
  source: string;
}

export type RecipientCounts = Record<RecipientState, number>;

export interface CampaignProgressEvent {
  sessionId: string;
  campaignId: string;
  state: CampaignState;
  pauseReason: string | null;
  total: number;
  counts: RecipientCounts;
  /** Quiet hours or the daily cap hold the next send until then. */
  nextSendAt: Date | null;
  at: Date;
}
