import { AccessModule } from '../access/access.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '../metrics/metrics.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { DeliveryStore } from './delivery/delivery-store';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import { WebhookMetrics } from './delivery/webhook-metrics';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookIngestReceiptEntity } from './entities/webhook-ingest-receipt.entity';
import { WebhookRawEventEntity } from './entities/webhook-raw-event.entity';
import { WebhookTargetEntity } from './entities/webhook-target.entity';
import { IngestAuth, IngestAuthGuard } from './ingest/ingest-auth.guard';
import { IngestRoute } from './ingest/ingest-route';
import { IngestReceipts } from './ingest/ingest-receipts';
import { IngestSessionEvents } from './ingest/ingest-session-events';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookOutboxWriter } from './webhook-outbox.writer';
import { WebhookPruner } from './webhook-pruner';
import { WebhookTargetsController } from './webhook-targets.controller';
import { WebhookTargetsService } from './webhook-targets.service';

/**
 * Webhooks: the 003 ingest (a second event source) and outbound delivery through the
 * `webhook_deliveries` outbox (a sink parallel to socket.io; neither imports the other).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      WebhookTargetEntity,
      WebhookDeliveryEntity,
      WebhookRawEventEntity,
      WebhookIngestReceiptEntity,
    ]),
    WhatsappModule,
    SessionsModule,
    MetricsModule,
    AccessModule,
  ],
  controllers: [WebhookTargetsController, IngestController],
  providers: [
    WebhookTargetsService,
    WebhookOutboxWriter,
    DeliveryStore,
    WebhookMetrics,
    WebhookDispatcher,
    WebhookDeliveriesService,
    WebhookPruner,
    IngestAuth,
    IngestAuthGuard,
    IngestRoute,
    IngestReceipts,
    IngestSessionEvents,
    IngestService,
  ],
})
export class WebhooksModule {}
