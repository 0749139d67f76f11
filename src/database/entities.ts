import { ContactEntity } from '../contacts/contact.entity';
import { ChatPresenceEntity } from '../messaging/entities/chat-presence.entity';
import { MessageStatusEntity } from '../messaging/entities/message-status.entity';
import { MessageEntity } from '../messaging/entities/message.entity';
import { QueuedSendEntity } from '../messaging/entities/queued-send.entity';
import { AuthKeyEntity } from '../whatsapp/auth-key.entity';
import { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

/** Every TypeORM entity, registered once with the data source. */
export const entities = [
  ContactEntity,
  WhatsappSessionEntity,
  AuthKeyEntity,
  MessageEntity,
  MessageStatusEntity,
  ChatPresenceEntity,
  QueuedSendEntity,
];
