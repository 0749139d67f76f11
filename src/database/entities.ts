import { ApiKeyEntity } from '../access/api-key.entity';
import { AuditEventEntity } from '../access/audit-event.entity';
import {
  AddressBookContactEntity,
  AddressBookGroupEntity,
  AddressBookLidMappingEntity,
} from '../contacts/address-book/address-book.entities';
import { ClusterNodeEntity, LeaseEntity } from '../cluster/lease.entity';
import { CampaignRecipientEntity } from '../campaigns/entities/campaign-recipient.entity';
import { CampaignEntity } from '../campaigns/entities/campaign.entity';
import { OptOutEntity } from '../campaigns/entities/opt-out.entity';
import { ContactEntity } from '../contacts/contact.entity';
import { ContactListEntity, ContactListMemberEntity } from '../contacts/lists/contact-list.entity';
import { GroupParticipantEntity } from '../contacts/group-participant.entity';
import { ChatPresenceEntity } from '../messaging/entities/chat-presence.entity';
import { MessageStatusEntity } from '../messaging/entities/message-status.entity';
import { MessageEntity } from '../messaging/entities/message.entity';
import { QueuedSendEntity } from '../messaging/entities/queued-send.entity';
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
  ApiKeyEntity,
  AuditEventEntity,
  AddressBookContactEntity,
  AddressBookLidMappingEntity,
  AddressBookGroupEntity,
  GroupParticipantEntity,
  MessageEntity,
  MessageStatusEntity,
  ChatPresenceEntity,
  QueuedSendEntity,
  WebhookTargetEntity,
  WebhookDeliveryEntity,
  WebhookRawEventEntity,
  WebhookIngestReceiptEntity,
  LeaseEntity,
  ClusterNodeEntity,
  CampaignEntity,
  CampaignRecipientEntity,
  OptOutEntity,
  ContactListEntity,
  ContactListMemberEntity,
];
