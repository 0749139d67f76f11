import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { SessionHooks } from '../sessions/session-hooks';
import type { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest } from '../common/http/pagination';
import { CampaignNotFound, CampaignStateConflict } from './campaign-errors';
import { CampaignPlanner, type UploadedRecipients } from './campaign-planner.service';
import { CampaignProgress, emptyCounts } from './campaign-progress.service';
import { CampaignRunner } from './campaign-runner.service';
import type { CreateCampaignDto } from './dto/create-campaign.dto';
import type {
  CampaignListQueryDto,
  CampaignViewDto,
  RecipientsQueryDto,
  RecipientViewDto,
} from './dto/campaign-view.dto';
import { CampaignRecipientEntity } from './entities/campaign-recipient.entity';
import { CampaignEntity, type CampaignState } from './entities/campaign.entity';
import { OptOutEntity } from './entities/opt-out.entity';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function recipientView(row: CampaignRecipientEntity): RecipientViewDto {
  return {
    address: row.address,
    jid: row.jid,
    name: row.name,
    state: row.state,
    reason: row.reason,
    messageId: row.messageId,
    queuedAt: iso(row.queuedAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Campaigns of a session: create, list, read, pause, resume, cancel, their recipients. */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CampaignRecipientEntity)
    private readonly recipients: Repository<CampaignRecipientEntity>,
    private readonly planner: CampaignPlanner,
    private readonly runner: CampaignRunner,
    private readonly progress: CampaignProgress,
    hooks: SessionHooks,
  ) {
    // a session removed with `purge` loses its campaigns, their recipients and its opt-outs
    hooks.onPurge((sessionId) => this.purge(sessionId));
  }

  private async purge(sessionId: string): Promise<void> {
    const owned = await this.campaigns.find({ select: { id: true }, where: { sessionId } });
    owned.forEach((campaign) => this.runner.halt(String(campaign.id)));
    await this.campaigns.manager.transaction(async (manager) => {
      for (let start = 0; start < owned.length; start += 500) {
        const ids = owned.slice(start, start + 500).map((campaign) => campaign.id);
        await manager.delete(CampaignRecipientEntity, { campaignId: In(ids) });
      }
      await manager.delete(CampaignEntity, { sessionId });
      await manager.delete(OptOutEntity, { sessionId });
    });
  }

  async create(
    sessionId: string,
    request: CreateCampaignDto,
    uploaded?: UploadedRecipients,
  ): Promise<CampaignViewDto> {
    const campaign = await this.planner.create(sessionId, request, uploaded);
    this.runner.launch(campaign);
    return this.view(campaign);
  }

  async list(
    sessionId: string,
    query: CampaignListQueryDto,
  ): Promise<{ data: CampaignViewDto[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.campaigns.findAndCount({
      where: { sessionId, ...(query.state ? { state: query.state } : {}) },
      order: { id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    const counts = await this.progress.counts(rows.map((row) => row.id));
    return {
      data: rows.map((row) => this.toView(row, counts.get(String(row.id)))),
      meta: pageMeta(request, total),
    };
  }

  async get(sessionId: string, campaignId: string): Promise<CampaignViewDto> {
    return this.view(await this.find(sessionId, campaignId));
  }

  async pause(sessionId: string, campaignId: string): Promise<CampaignViewDto> {
    await this.find(sessionId, campaignId);
    // the loop stops before the state changes: no recipient is claimed after the answer
    this.runner.halt(campaignId);
    await this.move(sessionId, campaignId, 'paused', ['running', 'scheduled'], 'user');
    return this.get(sessionId, campaignId);
  }

  async resume(sessionId: string, campaignId: string): Promise<CampaignViewDto> {
    const campaign = await this.move(sessionId, campaignId, 'resumed', ['paused'], null, 'running');
    this.runner.launch(campaign);
    return this.view(campaign);
  }

  async cancel(sessionId: string, campaignId: string): Promise<CampaignViewDto> {
    await this.find(sessionId, campaignId);
    this.runner.halt(campaignId);
    await this.move(sessionId, campaignId, 'cancelled', ['running', 'scheduled', 'paused']);
    return this.get(sessionId, campaignId);
  }

  async recipientsOf(
    sessionId: string,
    campaignId: string,
    query: RecipientsQueryDto,
  ): Promise<{ data: RecipientViewDto[]; meta: PageMeta }> {
    await this.find(sessionId, campaignId);
    const request = pageRequest(query);
    const [rows, total] = await this.recipients.findAndCount({
      where: { campaignId, ...(query.state ? { state: query.state } : {}) },
      order: { id: 'ASC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map(recipientView), meta: pageMeta(request, total) };
  }

  /** Every recipient (of one state, or all) in id order, a batch at a time. */
  async *report(
    sessionId: string,
    campaignId: string,
    state: string | undefined,
  ): AsyncGenerator<RecipientViewDto[]> {
    await this.find(sessionId, campaignId);
    let after = '0';
    for (;;) {
      const builder = this.recipients
        .createQueryBuilder('recipient')
        .where('recipient.campaignId = :campaignId', { campaignId })
        .andWhere('recipient.id > :after', { after });
      if (state) {
        builder.andWhere('recipient.state = :state', { state });
      }
      const rows = await builder.orderBy('recipient.id', 'ASC').limit(1_000).getMany();
      if (rows.length === 0) {
        return;
      }
      yield rows.map(recipientView);
      after = rows[rows.length - 1].id;
    }
  }

  async find(sessionId: string, campaignId: string): Promise<CampaignEntity> {
    const campaign = /^\d{1,18}$/.test(campaignId)
      ? await this.campaigns.findOneBy({ id: campaignId, sessionId })
      : null;
    if (!campaign) {
      throw new CampaignNotFound(campaignId);
    }
    return campaign;
  }

  private async move(
    sessionId: string,
    campaignId: string,
    action: string,
    from: CampaignState[],
    pauseReason: string | null = null,
    to: CampaignState = action === 'cancelled' ? 'cancelled' : 'paused',
  ): Promise<CampaignEntity> {
    const campaign = await this.find(sessionId, campaignId);
    if (!(await this.runner.transition(campaignId, from, to, pauseReason))) {
      const current = await this.find(sessionId, campaignId);
      throw new CampaignStateConflict(action, current.state);
    }
    return { ...campaign, state: to, pauseReason };
  }

  private async view(campaign: CampaignEntity): Promise<CampaignViewDto> {
    const counts = await this.progress.counts([campaign.id]);
    return this.toView(campaign, counts.get(String(campaign.id)));
  }

  private toView(
    campaign: CampaignEntity,
    counts: CampaignViewDto['counts'] = emptyCounts(),
  ): CampaignViewDto {
    const { message } = campaign;
    return {
      id: String(campaign.id),
      sessionId: campaign.sessionId,
      name: campaign.name,
      state: campaign.state,
      pauseReason: campaign.pauseReason,
      type: message.type,
      message:
        message.type === 'text'
          ? (message.message ?? null)
          : (message.caption ?? message.message ?? null),
      defaults: campaign.defaults,
      pacing: campaign.pacing,
      totalRecipients: campaign.totalRecipients,
      counts,
      nextSendAt:
        campaign.state === 'running' ? iso(this.progress.heldUntil(String(campaign.id))) : null,
      scheduledAt: iso(campaign.scheduledAt),
      startedAt: iso(campaign.startedAt),
      finishedAt: iso(campaign.finishedAt),
      createdAt: campaign.createdAt.toISOString(),
    };
  }
}
