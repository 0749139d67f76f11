import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import type { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest } from '../common/http/pagination';
import { DeliveryStore } from './delivery/delivery-store';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import type {
  DeliveriesQueryDto,
  WebhookDeliveryViewDto,
  WebhookPingViewDto,
} from './dto/webhook-delivery.dto';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { DeliveryNotFound } from './webhook-errors';
import { WebhookTargetsService } from './webhook-targets.service';

function toDeliveryView(row: WebhookDeliveryEntity): WebhookDeliveryViewDto {
  return {
    id: String(row.id),
    webhookId: row.webhookId,
    webhookTargetId: row.targetId,
    sessionId: row.sessionId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastDurationMs: row.lastDurationMs,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    payload: JSON.parse(row.payload) as unknown,
  };
}

/** The delivery log of a target (for one session), replays and test pings. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    @InjectRepository(WebhookDeliveryEntity)
    private readonly repository: Repository<WebhookDeliveryEntity>,
    private readonly targets: WebhookTargetsService,
    private readonly store: DeliveryStore,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async list(
    sessionId: string,
    targetId: string,
    query: DeliveriesQueryDto,
  ): Promise<{ data: WebhookDeliveryViewDto[]; meta: PageMeta }> {
    await this.targets.get(sessionId, targetId);
    const where: FindOptionsWhere<WebhookDeliveryEntity> = { sessionId, targetId };
    if (query.status) {
      where.status = query.status;
    }
    if (query.event_type) {
      where.eventType = query.event_type;
    }
    const page = pageRequest(query);
    const [rows, total] = await this.repository.findAndCount({
      where,
      order: { id: 'DESC' },
      skip: page.skip,
      take: page.perPage,
    });
    return { data: rows.map(toDeliveryView), meta: pageMeta(page, total) };
  }

  async replay(
    sessionId: string,
    targetId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryViewDto> {
    await this.targets.get(sessionId, targetId);
    const row = await this.find(sessionId, targetId, deliveryId);
    await this.store.replay(row.id, new Date());
    this.dispatcher.wake();
    return toDeliveryView(await this.find(sessionId, targetId, deliveryId));
  }

  async ping(sessionId: string, targetId: string): Promise<WebhookPingViewDto> {
    const target = await this.targets.get(sessionId, targetId);
    const { webhookId, payload, ...result } = await this.dispatcher.ping(target, sessionId);
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    // The ping goes out at once, outside the queue; its attempt is logged with the deliveries
    const now = new Date();
    await this.repository.insert({
      webhookId,
      targetId,
      sessionId,
      eventType: 'Test',
      payload,
      status: ok ? 'delivered' : 'failed',
      attempts: 1,
      nextAttemptAt: now,
      lastStatusCode: result.statusCode,
      lastError: result.error?.slice(0, 500) ?? null,
      lastDurationMs: result.durationMs,
      lastAttemptAt: now,
      deliveredAt: ok ? now : null,
      updatedAt: now,
    });
    return { ...result, ok };
  }

  private async find(
    sessionId: string,
    targetId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryEntity> {
    const row = /^\d{1,19}$/.test(deliveryId)
      ? await this.repository.findOneBy({ id: deliveryId, sessionId, targetId })
      : null;
    if (!row) {
      throw new DeliveryNotFound();
    }
    return row;
  }
}
