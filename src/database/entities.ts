import { ContactEntity } from '../contacts/contact.entity';
import { AuthKeyEntity } from '../whatsapp/auth-key.entity';
import { WebhookDeliveryEntity } from '../webhooks/entities/webhook-delivery.entity';
import { WebhookIngestReceiptEntity } from '../webhooks/entities/webhook-ingest-receipt.entity';
import { WebhookRawEventEntity } from '../webhooks/entities/webhook-raw-event.entity';
import { WebhookTargetEntity } from '../webhooks/entities/webhook-target.entity';
import { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

/** Every TypeORM entity, registered once with the data source. */
export const entities = [
  ContactEntity,
  WhatsappSessionEntity,
  AuthKeyEntity,
  WebhookTargetEntity,
  WebhookDeliveryEntity,
  WebhookRawEventEntity,
  WebhookIngestReceiptEntity,
];
