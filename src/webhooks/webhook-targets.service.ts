import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type {
  CreatedWebhookViewDto,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookViewDto,
} from './dto/webhook-target.dto';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookTargetEntity } from './entities/webhook-target.entity';
import { ALL_EVENTS, subscribes } from './webhook-event-types';
import { WebhookNotFound } from './webhook-errors';

export const GLOBAL_TARGET_ID = 'global';
/** Other processes' target changes are picked up within this time. */
const REFRESH_MS = 2000;

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function toWebhookView(target: WebhookTargetEntity): WebhookViewDto {
  return {
    id: target.id,
    sessionId: target.sessionId,
    url: target.url,
    events: target.events,
    enabled: target.enabled,
    paused: target.pausedAt !== null,
    pausedAt: target.pausedAt?.toISOString() ?? null,
    pauseReason: target.pauseReason,
    consecutiveFailures: target.consecutiveFailures,
    createdAt: target.createdAt.toISOString(),
    updatedAt: target.updatedAt.toISOString(),
  };
}

/**
 * The webhook targets: per-session ones over REST and the global one from WEBHOOK_URL. Kept in
 * memory for the outbox writer (it runs inside every persisting transaction), reloaded on each
 * change made here and every few seconds for changes made by another process.
 */
@Injectable()
export class WebhookTargetsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private targets = new Map<string, WebhookTargetEntity>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(WebhookTargetEntity)
    private readonly repository: Repository<WebhookTargetEntity>,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.syncGlobalTarget();
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((error: unknown) =>
        this.logger.warn(`could not reload webhook targets: ${String(error)}`),
      );
    }, REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Enabled targets that want `type` events of `sessionId` (paused ones still queue). */
  matching(sessionId: string, type: string): WebhookTargetEntity[] {
    const result: WebhookTargetEntity[] = [];
    for (const target of this.targets.values()) {
      if (
        target.enabled &&
        (target.sessionId === null || target.sessionId === sessionId) &&
        subscribes(target.events, type)
      ) {
        result.push(target);
      }
    }
    return result;
  }

  /** The cached target (for the dispatcher: URL, secret, paused). */
  cached(id: string): WebhookTargetEntity | undefined {
    return this.targets.get(id);
  }

  async reload(): Promise<void> {
    const rows = await this.repository.find();
    this.targets = new Map(rows.map((row) => [row.id, row]));
  }

  async list(sessionId: string): Promise<WebhookViewDto[]> {
    const rows = await this.repository.find({ where: { sessionId }, order: { createdAt: 'ASC' } });
    return rows.map(toWebhookView);
  }

  async get(sessionId: string, id: string): Promise<WebhookTargetEntity> {
    const target = await this.repository.findOneBy({ id });
    // The global target is visible from every session (its deliveries are filtered by session)
    if (!target || (target.sessionId !== null && target.sessionId !== sessionId)) {
      throw new WebhookNotFound();
    }
    return target;
  }

  async create(sessionId: string, body: CreateWebhookDto): Promise<CreatedWebhookViewDto> {
    const secret = body.secret ?? generateSecret();
    const target = this.repository.create({
      id: randomUUID(),
      sessionId,
      url: body.url,
      secret,
      events: body.events ?? [ALL_EVENTS],
      enabled: body.enabled ?? true,
      pausedAt: null,
      pauseReason: null,
      consecutiveFailures: 0,
    });
    await this.repository.insert(target);
    await this.reload();
    const stored = await this.get(sessionId, target.id);
    this.logger.log(`[${sessionId}] webhook ${target.id} created`);
    return { ...toWebhookView(stored), secret };
  }

  async update(sessionId: string, id: string, body: UpdateWebhookDto): Promise<WebhookViewDto> {
    const target = await this.get(sessionId, id);
    this.refuseGlobal(target);
    const patch: Partial<WebhookTargetEntity> = {};
    if (body.url !== undefined) {
      patch.url = body.url;
    }
    if (body.events !== undefined) {
      patch.events = body.events;
    }
    if (body.secret !== undefined) {
      patch.secret = body.secret;
    }
    if (body.enabled !== undefined) {
      patch.enabled = body.enabled;
    }
    if (Object.keys(patch).length > 0) {
      await this.repository.update({ id }, patch);
      await this.reload();
    }
    return toWebhookView(await this.get(sessionId, id));
  }

  async remove(sessionId: string, id: string): Promise<void> {
    const target = await this.get(sessionId, id);
    this.refuseGlobal(target);
    await this.repository.manager.transaction(async (manager) => {
      await manager.delete(WebhookDeliveryEntity, { targetId: id });
      await manager.delete(WebhookTargetEntity, { id });
    });
    await this.reload();
    this.logger.log(`[${sessionId}] webhook ${id} deleted`);
  }

  async resume(sessionId: string, id: string): Promise<WebhookViewDto> {
    await this.get(sessionId, id);
    await this.repository.update(
      { id },
      { pausedAt: null, pauseReason: null, consecutiveFailures: 0 },
    );
    await this.reload();
    this.logger.log(`webhook ${id} resumed`);
    return toWebhookView(await this.get(sessionId, id));
  }

  /** Counts a failed attempt; pauses the target once the configured number is reached in a row. */
  async recordFailure(id: string, reason: string): Promise<void> {
    await this.repository.increment({ id }, 'consecutiveFailures', 1);
    const target = await this.repository.findOneBy({ id });
    if (!target) {
      return;
    }
    const limit = this.config.webhooks.pauseAfterFailures;
    if (limit > 0 && target.pausedAt === null && target.consecutiveFailures >= limit) {
      target.pausedAt = new Date();
      target.pauseReason =
        `${target.consecutiveFailures} consecutive failed attempts; last: ${reason}`.slice(0, 500);
      await this.repository.update(
        { id },
        { pausedAt: target.pausedAt, pauseReason: target.pauseReason },
      );
      this.logger.warn(`webhook ${id} paused: ${target.pauseReason}`);
    }
    this.targets.set(id, target);
  }

  async recordSuccess(id: string): Promise<void> {
    const cached = this.targets.get(id);
    if (cached && cached.consecutiveFailures === 0) {
      return;
    }
    await this.repository.update({ id }, { consecutiveFailures: 0 });
    if (cached) {
      cached.consecutiveFailures = 0;
    }
  }

  private refuseGlobal(target: WebhookTargetEntity): void {
    if (target.id === GLOBAL_TARGET_ID) {
      // Its settings come from WEBHOOK_URL/WEBHOOK_SECRET/WEBHOOK_EVENTS
      throw new WebhookNotFound();
    }
  }

  /** Mirrors WEBHOOK_URL/WEBHOOK_SECRET/WEBHOOK_EVENTS into the `global` row (disabled when unset). */
  private async syncGlobalTarget(): Promise<void> {
    const { url, secret, events } = this.config.webhooks;
    const existing = await this.repository.findOneBy({ id: GLOBAL_TARGET_ID });
    if (!url) {
      if (existing?.enabled) {
        await this.repository.update({ id: GLOBAL_TARGET_ID }, { enabled: false });
      }
      return;
    }
    const values = { url, secret: secret ?? '', events, enabled: true };
    if (existing) {
      await this.repository.update({ id: GLOBAL_TARGET_ID }, values);
      return;
    }
    try {
      await this.repository.insert({
        id: GLOBAL_TARGET_ID,
        sessionId: null,
        ...values,
        pausedAt: null,
        pauseReason: null,
        consecutiveFailures: 0,
      });
    } catch {
      // Another process inserted it first
      await this.repository.update({ id: GLOBAL_TARGET_ID }, values);
    }
  }
}
