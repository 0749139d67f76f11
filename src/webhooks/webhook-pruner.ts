import { SessionOwnership } from '../cluster/session-ownership';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DeliveryStore } from './delivery/delivery-store';
import { WebhookIngestReceiptEntity } from './entities/webhook-ingest-receipt.entity';
import { WebhookRawEventEntity } from './entities/webhook-raw-event.entity';

const PRUNE_EVERY_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Deletes delivered webhooks, raw ingested events and ingest receipts past their retention. */
@Injectable()
export class WebhookPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookPruner');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly store: DeliveryStore,
    @InjectRepository(WebhookRawEventEntity)
    private readonly raw: Repository<WebhookRawEventEntity>,
    @InjectRepository(WebhookIngestReceiptEntity)
    private readonly receipts: Repository<WebhookIngestReceiptEntity>,
    private readonly ownership: SessionOwnership,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // one process of a cluster prunes (the holder of the job's lease)
      this.ownership
        .exclusive('webhook-pruner', async () => {
          await this.prune();
        })
        .catch((error: unknown) => this.logger.warn(`prune failed: ${String(error)}`));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async prune(now = new Date()): Promise<{ deliveries: number; raw: number; receipts: number }> {
    const { retentionHours, rawRetentionHours } = this.config.webhooks;
    const deliveries = await this.store.pruneDelivered(
      new Date(now.getTime() - retentionHours * HOUR_MS),
    );
    const rawBefore = new Date(now.getTime() - rawRetentionHours * HOUR_MS);
    const raw = (await this.raw.delete({ receivedAt: LessThan(rawBefore) })).affected ?? 0;
    const receipts =
      (await this.receipts.delete({ receivedAt: LessThan(rawBefore) })).affected ?? 0;
    if (deliveries + raw + receipts > 0) {
      this.logger.log(`pruned ${deliveries} deliveries, ${raw} raw events, ${receipts} receipts`);
    }
    return { deliveries, raw, receipts };
  }
}
