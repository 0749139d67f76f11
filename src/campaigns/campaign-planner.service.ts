import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { normalizePhoneNumber } from '../common/phone/phone-number';
import { AppConfig } from '../config/app-config';
import { ContactListsService } from '../contacts/lists/contact-lists.service';
import { StoredContactsService } from '../contacts/stored/stored-contacts.service';
import { BadCampaignRequest, CampaignTooLarge } from './campaign-errors';
import { CampaignContent } from './campaign-content.service';
import { isTimeZone } from './campaign-schedule';
import { MAX_CAMPAIGN_RECIPIENTS, type CreateCampaignDto } from './dto/create-campaign.dto';
import { CampaignRecipientEntity } from './entities/campaign-recipient.entity';
import type { CampaignMessage, CampaignPacing } from './entities/campaign.entity';
import { CampaignEntity } from './entities/campaign.entity';
import { unknownVariables } from './message-template';
import { dedupe, fromList, type PlannedRecipient } from './recipient-sources';

/** Rows per INSERT: 6 columns each, well under MySQL's 65,535 and SQLite's 32,766 parameters. */
const INSERT_BATCH = 2_000;
/** What every recipient has, whatever its source. */
const BUILT_IN_VARIABLES = ['name', 'phone'];

/** Recipients read from an upload (CSV/XLSX): rows, and the variable columns they carry. */
export interface UploadedRecipients {
  recipients: PlannedRecipient[];
  columns: string[];
}

/**
 * Turns a create request into a campaign: checks the message and the template, gathers the
 * recipients (stored contacts, a saved list, an explicit list, an upload), de-duplicates them by normalized number and
 * writes the campaign with every recipient row in one transaction. Nothing is written on a 400.
 */
@Injectable()
export class CampaignPlanner {
  private readonly logger = new Logger('CampaignPlanner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly stored: StoredContactsService,
    private readonly lists: ContactListsService,
    private readonly content: CampaignContent,
  ) {}

  async create(
    sessionId: string,
    request: CreateCampaignDto,
    uploaded?: UploadedRecipients,
  ): Promise<CampaignEntity> {
    const message = this.messageOf(request);
    const pacing = this.pacingOf(request);
    const defaults = this.defaultsOf(request.defaults);
    const scheduledAt = request.scheduledAt ? new Date(request.scheduledAt) : null;
    if (!request.contacts && !request.recipients && !request.listId && !uploaded) {
      throw new BadCampaignRequest(
        'recipients',
        'give recipients (a list), contacts (a filter of stored contacts), listId (a saved contact list) or a CSV/XLSX file',
      );
    }
    const started = performance.now();
    const planned = await this.recipientsOf(sessionId, request, uploaded);
    const read = performance.now();
    if (planned.length === 0) {
      throw new BadCampaignRequest('recipients', 'the campaign has no recipients');
    }
    if (planned.length > MAX_CAMPAIGN_RECIPIENTS) {
      throw new CampaignTooLarge(MAX_CAMPAIGN_RECIPIENTS);
    }
    const known = new Set([
      ...BUILT_IN_VARIABLES,
      ...Object.keys(defaults),
      ...(uploaded?.columns ?? []),
      ...planned.flatMap((recipient) => Object.keys(recipient.variables ?? {})),
    ]);
    const unknown = unknownVariables(CampaignContent.templateOf(message), known);
    if (unknown.length > 0) {
      throw new BadCampaignRequest(
        message.type === 'text' ? 'message' : 'caption',
        `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `{{${name}}}`).join(', ')}: give ${unknown.length > 1 ? 'them' : 'it'} a default ({{name|default}} or defaults) or a value per recipient`,
      );
    }
    // the same checks as a send (text present, media loadable, its type known): a 400 now
    await this.content.compose(sessionId, message);
    const checked = performance.now();
    const campaign = await this.write(
      sessionId,
      request.name,
      message,
      defaults,
      pacing,
      scheduledAt,
      planned,
    );
    const ms = (from: number, to: number) => Math.round(to - from);
    const now = performance.now();
    this.logger.log(
      `[${sessionId}] campaign ${campaign.id}: ${planned.length} recipients planned in ${ms(started, now)} ms (read and de-duplicated ${ms(started, read)} ms, checked ${ms(read, checked)} ms, written ${ms(checked, now)} ms)`,
    );
    return campaign;
  }

  private async recipientsOf(
    sessionId: string,
    request: CreateCampaignDto,
    uploaded: UploadedRecipients | undefined,
  ): Promise<PlannedRecipient[]> {
    const phoneOf = (value: string) => normalizePhoneNumber(value, this.config.defaultCountryCode);
    const all: PlannedRecipient[] = [];
    if (request.recipients) {
      all.push(...fromList(request.recipients, phoneOf));
    }
    if (uploaded) {
      all.push(...uploaded.recipients);
    }
    if (request.listId) {
      for await (const members of this.lists.chats(sessionId, request.listId)) {
        all.push(...members.map((member) => ({ ...member, variables: null })));
      }
    }
    if (request.contacts) {
      for await (const chats of this.stored.chats(sessionId, request.contacts)) {
        all.push(...chats.map((chat) => ({ ...chat, variables: null })));
        if (all.length > MAX_CAMPAIGN_RECIPIENTS * 2) {
          throw new CampaignTooLarge(MAX_CAMPAIGN_RECIPIENTS);
        }
      }
    }
    return dedupe(all);
  }

  private messageOf(request: CreateCampaignDto): CampaignMessage {
    const type = request.type ?? 'text';
    if (type === 'text' && !request.message?.trim()) {
      throw new BadCampaignRequest('message', 'message (the text to send) is required');
    }
    if (type !== 'text' && !request.media) {
      throw new BadCampaignRequest(
        'media',
        `media (an http(s) URL, base64 or a path inside MEDIA_DIR) is required for ${type}`,
      );
    }
    const message: CampaignMessage = { type };
    for (const key of ['message', 'media', 'caption', 'fileName', 'mimetype', 'ptt'] as const) {
      if (request[key] !== undefined) {
        (message as unknown as Record<string, unknown>)[key] = request[key];
      }
    }
    return message;
  }

  private pacingOf(request: CreateCampaignDto): CampaignPacing {
    const given = request.pacing ?? {};
    const minIntervalMs = given.minIntervalMs ?? 3_000;
    const maxIntervalMs = given.maxIntervalMs ?? minIntervalMs + 5_000;
    if (maxIntervalMs < minIntervalMs) {
      throw new BadCampaignRequest(
        'pacing.maxIntervalMs',
        'maxIntervalMs must not be less than minIntervalMs',
      );
    }
    const timeZone = given.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) {
      throw new BadCampaignRequest(
        'pacing.timeZone',
        `unknown time zone "${timeZone}" (use an IANA name such as Asia/Jakarta)`,
      );
    }
    return {
      minIntervalMs,
      maxIntervalMs,
      dailyCap: given.dailyCap ?? null,
      quietHours: given.quietHours
        ? { start: given.quietHours.start, end: given.quietHours.end }
        : null,
      timeZone,
    };
  }

  private defaultsOf(defaults: Record<string, unknown> | undefined): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(defaults ?? {})) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new BadCampaignRequest(`defaults.${key}`, 'a default must be a string or a number');
      }
      result[key.toLowerCase()] = String(value);
    }
    return result;
  }

  private write(
    sessionId: string,
    name: string,
    message: CampaignMessage,
    defaults: Record<string, string>,
    pacing: CampaignPacing,
    scheduledAt: Date | null,
    recipients: PlannedRecipient[],
  ): Promise<CampaignEntity> {
    return this.dataSource.transaction(async (manager) => {
      const campaign = manager.create(CampaignEntity, {
        sessionId,
        name,
        state: scheduledAt && scheduledAt.getTime() > Date.now() ? 'scheduled' : 'running',
        pauseReason: null,
        message,
        defaults,
        pacing,
        totalRecipients: recipients.length,
        scheduledAt,
        startedAt: null,
        finishedAt: null,
      });
      await manager.save(campaign);
      // the generated id is a number on SQLite, a string on MySQL (BIGINT): a string everywhere
      campaign.id = String(campaign.id);
      for (let start = 0; start < recipients.length; start += INSERT_BATCH) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(CampaignRecipientEntity)
          .values(
            recipients.slice(start, start + INSERT_BATCH).map((recipient) => ({
              campaignId: campaign.id,
              address: recipient.address,
              jid: recipient.jid,
              name: recipient.name?.slice(0, 255) ?? null,
              variables:
                recipient.variables && Object.keys(recipient.variables).length > 0
                  ? recipient.variables
                  : null,
              state: 'pending',
            })),
          )
          .updateEntity(false)
          .execute();
      }
      return campaign;
    });
  }
}
