import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, Not } from 'typeorm';
import type { ComposedMessage } from '../messaging/message-composer.service';
import { MessagingService } from '../messaging/messaging.service';
import { SendQueue } from '../messaging/send-queue.service';
import { CampaignContent } from './campaign-content.service';
import { CampaignTracker } from './campaign-tracker.service';
import { CampaignRecipientEntity } from './entities/campaign-recipient.entity';
import type { CampaignEntity } from './entities/campaign.entity';
import { OptOutEntity } from './entities/opt-out.entity';
import { renderTemplate } from './message-template';

/** Numbers checked on WhatsApp at a time, ahead of the sends. */
const CHECK_BATCH = 100;

export type Claim =
  | { kind: 'none' }
  | { kind: 'check' }
  | { kind: 'skipped' }
  | { kind: 'queued'; messageId: string; start: () => void };

class ClaimLost extends Error {}

/**
 * Exactly once per recipient: the next pending recipient is claimed (`queued`, its message id
 * recorded) in the transaction that writes its send-queue job, before anything is sent. After a
 * crash either both are there (the queue resumes the job at boot, with that id) or neither is
 * (the recipient is still pending and claimed again).
 */
@Injectable()
export class CampaignClaims {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: SendQueue,
    private readonly messaging: MessagingService,
    private readonly tracker: CampaignTracker,
  ) {}

  /** `stillRunning` is asked last, inside the transaction: a pause meanwhile rolls it back. */
  async claimNext(
    campaign: CampaignEntity,
    composed: ComposedMessage,
    stillRunning: () => boolean,
  ): Promise<Claim> {
    try {
      return await this.dataSource.transaction(async (manager): Promise<Claim> => {
        const next = await manager.findOne(CampaignRecipientEntity, {
          where: { campaignId: campaign.id, state: 'pending' },
          order: { id: 'ASC' },
        });
        if (!next) {
          return { kind: 'none' };
        }
        if (!next.jid) {
          return { kind: 'check' };
        }
        const now = new Date();
        // by number, or by LID for a person whose number is unknown; groups never opt out
        const optedOut =
          !next.address.endsWith('@g.us') &&
          (await manager.exists(OptOutEntity, {
            where: { sessionId: campaign.sessionId, phone: next.address },
          }));
        if (optedOut) {
          await manager.update(
            CampaignRecipientEntity,
            { id: next.id, state: 'pending' },
            { state: 'skipped', reason: 'opted_out', updatedAt: now },
          );
          return { kind: 'skipped' };
        }
        const text = renderTemplate(
          CampaignContent.templateOf(campaign.message),
          {
            ...next.variables,
            name: next.name,
            phone: /^\d+$/.test(next.address) ? next.address : null,
          },
          campaign.defaults,
        );
        const staged = await this.queue.stage(
          manager,
          campaign.sessionId,
          next.jid,
          CampaignContent.personalized(composed, text),
        );
        const claimed = await manager.update(
          CampaignRecipientEntity,
          { id: next.id, state: 'pending' },
          { state: 'queued', messageId: staged.messageId, queuedAt: now, updatedAt: now },
        );
        if (claimed.affected !== 1 || !stillRunning()) {
          throw new ClaimLost(); // another runner took it, or a pause: roll the queue row back
        }
        this.tracker.follow(staged.messageId, campaign.id);
        return { kind: 'queued', messageId: staged.messageId, start: staged.start };
      });
    } catch (error) {
      if (error instanceof ClaimLost) {
        return { kind: 'skipped' };
      }
      throw error;
    }
  }

  /**
   * Checks the next batch of unchecked numbers on WhatsApp: those on it get their JID, the
   * others are skipped as `not_on_whatsapp` (never sent).
   */
  async checkNext(campaign: CampaignEntity): Promise<void> {
    const repository = this.dataSource.getRepository(CampaignRecipientEntity);
    const batch = await repository.find({
      select: { id: true, address: true },
      where: { campaignId: campaign.id, state: 'pending', jid: IsNull() },
      order: { id: 'ASC' },
      take: CHECK_BATCH,
    });
    if (batch.length === 0) {
      return;
    }
    const results = await this.messaging.checkNumbers(
      campaign.sessionId,
      batch.map((row) => row.address),
    );
    const now = new Date();
    const missing: string[] = [];
    for (const [index, row] of batch.entries()) {
      const result = results[index];
      if (result?.exists && result.jid) {
        await repository.update({ id: row.id, jid: IsNull() }, { jid: result.jid });
      } else {
        missing.push(row.id);
      }
    }
    if (missing.length > 0) {
      await repository.update(
        { id: In(missing), state: 'pending', jid: IsNull() },
        { state: 'skipped', reason: 'not_on_whatsapp', updatedAt: now },
      );
    }
  }

  /** Recipients of the campaign claimed since `since` (the daily cap). */
  claimedSince(campaignId: string, since: Date): Promise<number> {
    return this.dataSource
      .getRepository(CampaignRecipientEntity)
      .createQueryBuilder('recipient')
      .where('recipient.campaignId = :campaignId', { campaignId })
      .andWhere('recipient.queuedAt >= :since', { since })
      .andWhere({ messageId: Not(IsNull()) })
      .getCount();
  }
}
