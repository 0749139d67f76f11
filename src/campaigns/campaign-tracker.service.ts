import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, Repository } from 'typeorm';
import { MessageEntity } from '../messaging/entities/message.entity';
import { MessageStatusEntity } from '../messaging/entities/message-status.entity';
import { QueuedSendEntity } from '../messaging/entities/queued-send.entity';
import { StoredMessageEvents } from '../messaging/messaging-events';
import type {
  MessageFailedEvent,
  MessageStoredEvent,
  StatusStoredEvent,
} from '../messaging/messaging-events';
import { SEND_SETTLED, type SendSettledEvent } from '../messaging/send-queue.service';
import { CampaignProgress } from './campaign-progress.service';
import {
  CampaignRecipientEntity,
  RECIPIENT_RANK,
  RECIPIENT_STATES,
  type RecipientState,
} from './entities/campaign-recipient.entity';

/** How long after its send a recipient's receipts are still followed. */
const FOLLOW_MS = 14 * 24 * 3_600_000;
const BATCH = 1_000;
/** How often, and how many, followed messages are checked against their stored status. */
const RECONCILE_MS = 5_000;
const RECONCILE_BATCH = 500;

function lowerStates(state: RecipientState): RecipientState[] {
  const states =
    state === 'failed'
      ? (['queued'] as RecipientState[])
      : RECIPIENT_STATES.filter(
          (candidate) =>
            candidate !== 'pending' && RECIPIENT_RANK[candidate] < RECIPIENT_RANK[state],
        );
  return states;
}

/**
 * A recipient's state from the message statuses already stored: sent when its queued job goes
 * out, delivered and read from the receipts, failed with the queue's reason. Only the messages
 * of campaigns are followed (a map, not a query per message of every plain send).
 */
@Injectable()
export class CampaignTracker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CampaignTracker');
  /** message id -> campaign id */
  private readonly followed = new Map<string, string>();
  private reconciler: NodeJS.Timeout | undefined;
  private reconciling = false;

  constructor(
    @InjectRepository(CampaignRecipientEntity)
    private readonly recipients: Repository<CampaignRecipientEntity>,
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    @InjectRepository(QueuedSendEntity) private readonly queue: Repository<QueuedSendEntity>,
    @InjectRepository(MessageStatusEntity)
    private readonly receipts: Repository<MessageStatusEntity>,
    private readonly progress: CampaignProgress,
  ) {}

  follow(messageId: string, campaignId: string): void {
    this.followed.set(messageId, String(campaignId));
  }

  /**
   * At boot: recipients claimed before a stop take their message's stored state (or that of its
   * stored receipts); one whose job is neither stored nor queued any more failed (its failure
   * was not recorded in time).
   */
  async onApplicationBootstrap(): Promise<void> {
    const open = await this.recipients.find({
      select: { id: true, campaignId: true, messageId: true, state: true },
      where: {
        state: In(['queued', 'sent', 'delivered']),
        queuedAt: MoreThan(new Date(Date.now() - FOLLOW_MS)),
      },
    });
    for (const row of open) {
      if (row.messageId) {
        this.follow(row.messageId, row.campaignId);
      }
    }
    const queued = open.filter((row) => row.state === 'queued' && row.messageId);
    for (let start = 0; start < queued.length; start += BATCH) {
      const part = queued.slice(start, start + BATCH);
      const ids = part.map((row) => row.messageId ?? '');
      const [stored, receipts, waiting] = await Promise.all([
        this.messages.find({
          select: { messageId: true, status: true },
          where: { messageId: In(ids), fromMe: true },
        }),
        this.receipts.find({
          select: { messageId: true, status: true },
          where: { messageId: In(ids) },
        }),
        this.queue.find({ select: { messageId: true }, where: { messageId: In(ids) } }),
      ]);
      const status = new Map(stored.map((message) => [message.messageId, message.status]));
      // a receipt stored without its message: the send went out just before a hard stop (the
      // send queue does not send it again)
      const receipted = new Map<string, RecipientState>();
      for (const receipt of receipts) {
        if (receipted.get(receipt.messageId) !== 'read') {
          receipted.set(receipt.messageId, receipt.status);
        }
      }
      const inQueue = new Set(waiting.map((row) => row.messageId));
      for (const row of part) {
        const id = row.messageId ?? '';
        const known = status.get(id);
        const receipt = receipted.get(id);
        if (known) {
          // a stored message of ours went out: `pending` is only WhatsApp's ack still to come
          const state = known === 'played' ? 'read' : known === 'pending' ? 'sent' : known;
          await this.advance(id, state);
        } else if (receipt) {
          await this.advance(id, receipt);
        } else if (!inQueue.has(id)) {
          await this.advance(
            id,
            'failed',
            'not sent: the gateway stopped before its send was recorded',
          );
        }
      }
    }
    if (queued.length > 0) {
      this.logger.log(`checked ${queued.length} campaign recipient(s) claimed before the restart`);
    }
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconciler.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reconciler);
  }

  /**
   * A safety net under the events: recipients behind their message's stored status are moved on.
   * A CI run once left a recipient `delivered` whose message was stored `read` (its cause was
   * not found). Up to RECONCILE_BATCH followed messages per tick, round robin; one query, and an
   * update only for a recipient that is behind.
   */
  async reconcile(): Promise<void> {
    if (this.followed.size === 0 || this.reconciling) {
      return;
    }
    this.reconciling = true;
    try {
      const ids: string[] = [];
      for (const [messageId, campaignId] of this.followed) {
        if (ids.length === RECONCILE_BATCH) {
          break;
        }
        ids.push(messageId);
        // to the end of the map: the next tick checks the next ones
        this.followed.delete(messageId);
        this.followed.set(messageId, campaignId);
      }
      const rows = await this.recipients
        .createQueryBuilder('recipient')
        .innerJoin(
          MessageEntity,
          'message',
          'message.messageId = recipient.messageId AND message.fromMe = :fromMe',
          { fromMe: true },
        )
        .select('recipient.messageId', 'messageId')
        .addSelect('recipient.state', 'state')
        .addSelect('message.status', 'status')
        .where('recipient.messageId IN (:...ids)', { ids })
        .getRawMany<{ messageId: string; state: RecipientState; status: string }>();
      for (const row of rows) {
        const stored: RecipientState | null =
          row.status === 'played' || row.status === 'read'
            ? 'read'
            : row.status === 'delivered'
              ? 'delivered'
              : null;
        if (stored && RECIPIENT_RANK[stored] > RECIPIENT_RANK[row.state]) {
          this.logger.warn(
            `campaign recipient of ${row.messageId} caught up: ${row.state} -> ${stored}`,
          );
          await this.advance(row.messageId, stored);
        }
      }
    } catch (error) {
      this.logger.warn(`campaign recipients not reconciled: ${String(error)}`);
    } finally {
      this.reconciling = false;
    }
  }

  @OnEvent(SEND_SETTLED, { suppressErrors: true })
  async onSettled(event: SendSettledEvent): Promise<void> {
    if (event.outcome === 'sent') {
      await this.advance(event.messageId, 'sent');
    }
  }

  /** Our message as stored: with the receipts that reached the store before it. */
  @OnEvent(StoredMessageEvents.Message, { suppressErrors: true })
  async onStored(event: MessageStoredEvent): Promise<void> {
    const { message } = event;
    if (!message.fromMe || !this.followed.has(message.id)) {
      return;
    }
    const { status } = message;
    if (status === 'delivered' || status === 'read' || status === 'played') {
      await this.advance(message.id, status === 'played' ? 'read' : status);
    }
  }

  @OnEvent(StoredMessageEvents.Failed, { suppressErrors: true })
  async onFailed(event: MessageFailedEvent): Promise<void> {
    await this.advance(event.messageId, 'failed', event.reason);
  }

  @OnEvent(StoredMessageEvents.Status, { suppressErrors: true })
  async onStatus(event: StatusStoredEvent): Promise<void> {
    const status = event.update.status;
    if (status === 'delivered' || status === 'read' || status === 'played') {
      await this.advance(event.update.messageId, status === 'played' ? 'read' : status);
    }
  }

  /** Moves the recipient of a message forward (never back), and reports the progress. */
  async advance(messageId: string, state: RecipientState, reason?: string): Promise<void> {
    const campaignId = this.followed.get(messageId);
    if (!campaignId) {
      return;
    }
    const result = await this.recipients.update(
      { messageId, state: In(lowerStates(state)) },
      { state, updatedAt: new Date(), ...(reason ? { reason: reason.slice(0, 255) } : {}) },
    );
    if (state === 'read' || state === 'failed') {
      this.followed.delete(messageId);
    }
    if ((result.affected ?? 0) > 0) {
      this.progress.touch(campaignId);
    }
  }
}
