import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { ChatPresenceStore } from './chat-presence-store.service';
import { Clock, SystemClock } from './clock';
import { ChatPresenceEntity } from './entities/chat-presence.entity';
import { MessageEntity } from './entities/message.entity';
import { MessageStatusEntity } from './entities/message-status.entity';
import { MessageQueries } from './message-queries.service';
import { MessageStore } from './message-store.service';
import { V1MessagingController } from './v1-messaging.controller';

/** Sending, receiving and storing messages, their statuses and typing presences (issue 8). */
@Module({
  imports: [
    TypeOrmModule.forFeature([MessageEntity, MessageStatusEntity, ChatPresenceEntity]),
    WhatsappModule,
  ],
  controllers: [V1MessagingController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    MessageStore,
    ChatPresenceStore,
    MessageQueries,
  ],
  exports: [MessageStore, ChatPresenceStore, MessageQueries],
})
export class MessagingModule {}
