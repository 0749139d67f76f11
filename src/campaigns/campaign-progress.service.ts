import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import {
  CampaignEvents,
  type CampaignProgressEvent,
  type RecipientCounts,
} from './campaign-events';
import { CampaignRecipientEntity, RECIPIENT_STATES } from './entities/campaign-recipient.entity';
import { CampaignEntity } from './entities/campaign.entity';

const THROTTLE_MS = 250;

export function emptyCounts(): RecipientCounts {
  return Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as RecipientCounts;
}

/**
 * Counts per recipient state, and `campaign.progress` on the bus: at most one per campaign every
 * 250 ms however fast its recipients change, and one at once for a change of campaign state.
 */
@Injectable()
export class CampaignProgress implements OnModuleDestroy {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Campaigns whose next send waits for quiet hours or the daily cap: until when. */
  private readonly held = new Map<string, Date>();

  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CampaignRecipientEntity)
    private readonly recipients: Repository<CampaignRecipientEntity>,
    private readonly events: EventEmitter2,
  ) {}

  onModuleDestroy(): void {
    this.pending.forEach((timer) => clearTimeout(timer));
    this.pending.clear();
  }

  async counts(
    campaignIds: string[],
    manager: EntityManager = this.recipients.manager,
  ): Promise<Map<string, RecipientCounts>> {
    // ids are strings on MySQL (BIGINT) and numbers on SQLite: keyed as strings
    const result = new Map(campaignIds.map((id) => [String(id), emptyCounts()]));
    if (campaignIds.length === 0) {
      return result;
    }
    const rows = await manager
      .createQueryBuilder(CampaignRecipientEntity, 'recipient')
      .select('recipient.campaignId', 'campaignId')
      .addSelect('recipient.state', 'state')
      .addSelect('COUNT(*)', 'count')
      .where('recipient.campaignId IN (:...campaignIds)', { campaignIds })
      .groupBy('recipient.campaignId')
      .addGroupBy('recipient.state')
      .getRawMany<{ campaignId: string | number; state: string; count: string | number }>();
    for (const row of rows) {
      const counts = result.get(String(row.campaignId));
      if (counts && row.state in counts) {
        counts[row.state as keyof RecipientCounts] = Number(row.count);
      }
    }
    return result;
  }

  /** The campaign's next send waits until `until` (null: it does not wait); reported at once. */
  holdUntil(id: string, until: Date | null): void {
    const campaignId = String(id);
    if (until) {
      this.held.set(campaignId, until);
    } else if (!this.held.delete(campaignId)) {
      return;
    }
    this.touch(campaignId, true);
  }

  heldUntil(id: string): Date | null {
    return this.held.get(String(id)) ?? null;
  }

  /** Reports the campaign's progress soon (coalesced), or now. */
  touch(id: string, now = false): void {
    const campaignId = String(id);
    if (now) {
      clearTimeout(this.pending.get(campaignId));
      this.pending.delete(campaignId);
      void this.publish(campaignId);
      return;
    }
    if (this.pending.has(campaignId)) {
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(campaignId);
      void this.publish(campaignId);
    }, THROTTLE_MS);
    timer.unref();
    this.pending.set(campaignId, timer);
  }

  private async publish(campaignId: string): Promise<void> {
    try {
      const campaign = await this.campaigns.findOneBy({ id: campaignId });
      if (!campaign) {
        return;
      }
      const counts = (await this.counts([campaignId])).get(campaignId) ?? emptyCounts();
      this.events.emit(CampaignEvents.Progress, {
        sessionId: campaign.sessionId,
        campaignId,
        state: campaign.state,
        pauseReason: campaign.pauseReason,
        total: campaign.totalRecipients,
        counts,
        nextSendAt: campaign.state === 'running' ? this.heldUntil(campaignId) : null,
        at: new Date(),
      } satisfies CampaignProgressEvent);
    } catch {
      // the database went away (shutdown): the next change reports again
    }
  }
}
