import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest, type PaginationQueryDto } from '../common/http/pagination';
import { normalizePhoneNumber } from '../common/phone/phone-number';
import { AppConfig } from '../config/app-config';
import { StoredMessageEvents, type MessageStoredEvent } from '../messaging/messaging-events';
import { BadCampaignRequest } from './campaign-errors';
import { CampaignEvents, type OptedOutEvent } from './campaign-events';
import { OptOutEntity } from './entities/opt-out.entity';

export interface OptOutView {
  phoneNumber: string;
  source: string;
  createdAt: string;
}

/** A person's LID JID without its device (`123@lid` for `123:4@lid`), or null for anything else. */
function lidOf(jid: string): string | null {
  const digits = /^(\d+)(?::\d+)?@lid$/.exec(jid.trim())?.[1];
  return digits ? `${digits}@lid` : null;
}

/**
 * The numbers of a session that get no campaign messages: added over the API or by replying
 * one of the stop keywords (CAMPAIGN_STOP_KEYWORDS). Campaigns check it at each claim.
 */
@Injectable()
export class OptOutsService {
  private readonly logger = new Logger('OptOuts');
  private readonly keywords: Set<string>;

  constructor(
    @InjectRepository(OptOutEntity) private readonly optOuts: Repository<OptOutEntity>,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {
    this.keywords = new Set(config.campaigns.stopKeywords);
  }

  async add(sessionId: string, inputs: string[], source = 'api'): Promise<{ added: string[] }> {
    const phones = inputs.map((input, index) => {
      const phone = normalizePhoneNumber(input, this.config.defaultCountryCode);
      if (!phone) {
        throw new BadCampaignRequest(
          `phoneNumbers[${index}]`,
          `"${input.slice(0, 64)}" is not a phone number`,
        );
      }
      return phone;
    });
    return { added: await this.store(sessionId, [...new Set(phones)], source) };
  }

  /** Stores the addresses (numbers, or LID JIDs of people whose number is unknown). */
  private async store(sessionId: string, unique: string[], source: string): Promise<string[]> {
    await this.optOuts
      .createQueryBuilder()
      .insert()
      .into(OptOutEntity)
      .values(unique.map((phone) => ({ sessionId, phone, source })))
      .orIgnore()
      .updateEntity(false)
      .execute();
    this.events.emit(CampaignEvents.OptedOut, {
      sessionId,
      phones: unique,
      source,
    } satisfies OptedOutEvent);
    return unique;
  }

  async remove(sessionId: string, input: string): Promise<{ removed: boolean }> {
    const phone = lidOf(input) ?? normalizePhoneNumber(input, this.config.defaultCountryCode);
    if (!phone) {
      throw new BadCampaignRequest(
        'phone',
        `"${input.slice(0, 64)}" is not a phone number (or the LID JID of an opt-out by reply)`,
      );
    }
    const result = await this.optOuts.delete({ sessionId, phone });
    return { removed: (result.affected ?? 0) > 0 };
  }

  async list(
    sessionId: string,
    query: PaginationQueryDto,
  ): Promise<{ data: OptOutView[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.optOuts.findAndCount({
      where: { sessionId },
      order: { id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return {
      data: rows.map((row) => ({
        phoneNumber: row.phone,
        source: row.source,
        createdAt: row.createdAt.toISOString(),
      })),
      meta: pageMeta(request, total),
    };
  }

  async isOptedOut(sessionId: string, phones: string[]): Promise<Set<string>> {
    const rows = await this.optOuts.find({
      select: { phone: true },
      where: { sessionId, phone: In(phones) },
    });
    return new Set(rows.map((row) => row.phone));
  }

  /**
   * A 1:1 reply that is just a stop keyword opts its sender out: by number, or by LID when the
   * sender's number is unknown (a campaign to that LID checks it the same way).
   */
  @OnEvent(StoredMessageEvents.Message, { async: true, suppressErrors: true })
  async onMessage(event: MessageStoredEvent): Promise<void> {
    const { message } = event;
    const lid = lidOf(message.senderJid);
    if (message.fromMe || message.isGroup || !message.text || (!message.senderPhone && !lid)) {
      return;
    }
    const word = message.text
      .trim()
      .replace(/[.!]+$/, '')
      .toUpperCase();
    if (!this.keywords.has(word)) {
      return;
    }
    if (message.senderPhone) {
      await this.add(event.sessionId, [message.senderPhone], 'reply');
    } else if (lid) {
      await this.store(event.sessionId, [lid], 'reply');
    }
    this.logger.log(`[${event.sessionId}] a number opted out by replying ${word}`);
  }
}
