import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EventOutbox } from '../whatsapp/events/event-outbox';
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
 * The `CampaignProgress` webhook goes with every change of state (in its transaction) and, while
 * the campaign runs, with its counts at most every CAMPAIGN_PROGRESS_WEBHOOK_MS.
 */
@Injectable()
export class CampaignProgress implements OnModuleDestroy {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Campaigns whose next send waits for quiet hours or the daily cap: until when. */
  private readonly held = new Map<string, Date>();
  /** When each running campaign's last webhook was written (ms since the epoch). */
  private readonly webhookAt = new Map<string, number>();
  private readonly webhookEveryMs: number;

  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CampaignRecipientEntity)
    private readonly recipients: Repository<CampaignRecipientEntity>,
    private readonly events: EventEmitter2,
    private readonly outbox: EventOutbox,
    config: AppConfig,
  ) {
    this.webhookEveryMs = config.campaigns.progressWebhookMs;
  }

  /** Writes the campaign's `CampaignProgress` webhook (its state and counts) in `manager`'s transaction. */
  async recordWebhook(
    manager: EntityManager,
    campaign: CampaignEntity,
    counts: RecipientCounts,
    at: Date,
  ): Promise<void> {
    await this.outbox.record(manager, [
      {
        kind: 'campaign_progress',
        sessionId: campaign.sessionId,
        campaignId: String(campaign.id),
        name: campaign.name,
        state: campaign.state,
        pauseReason: campaign.pauseReason,
        total: campaign.totalRecipients,
        counts,
        at,
      },
    ]);
    if (campaign.state === 'running') {
      this.webhookAt.set(String(campaign.id), Date.now());
    } else {
      this.webhookAt.delete(String(campaign.id));
    }
  }

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
      await this.periodicWebhook(campaign, counts);
    } catch {
      // the database went away (shutdown): the next change reports again
    }
  }

  /** A running campaign's counts by webhook, at most every CAMPAIGN_PROGRESS_WEBHOOK_MS. */
  private async periodicWebhook(campaign: CampaignEntity, counts: RecipientCounts): Promise<void> {
    const campaignId = String(campaign.id);
    if (campaign.state !== 'running' || this.webhookEveryMs === 0) {
      this.webhookAt.delete(campaignId);
      return;
    }
    const last = this.webhookAt.get(campaignId);
    if (last === undefined) {
      this.webhookAt.set(campaignId, Date.now()); // started (or taken over) here: counts from now
    } else if (Date.now() - last >= this.webhookEveryMs) {
      await this.recipients.manager.transaction((manager) =>
        this.recordWebhook(manager, campaign, counts, new Date()),
      );
    }
  }
}
