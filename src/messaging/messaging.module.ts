import { AccessModule } from '../access/access.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SendRoute } from './send-route';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { ChatPresenceStore } from './chat-presence-store.service';
import { ChatsController } from './chats.controller';
import { ChatsService } from './chats.service';
import { Clock, SystemClock } from './clock';
import { ChatPresenceEntity } from './entities/chat-presence.entity';
import { MessageEntity } from './entities/message.entity';
import { MessageStatusEntity } from './entities/message-status.entity';
import { QueuedSendEntity } from './entities/queued-send.entity';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config';
import { MediaSource } from './media-source.service';
import { MessageComposer } from './message-composer.service';
import { MediaAutoDownload } from './media-auto-download.service';
import { MessageMedia } from './message-media.service';
import { MessageQueries } from './message-queries.service';
import { MessagingService } from './messaging.service';
import { RecipientResolver } from './recipient-resolver.service';
import { SendQueue } from './send-queue.service';
import { SessionGate } from './session-gate.service';
import { SessionMessagingController } from './session-messaging.controller';
import { MessageStore } from './message-store.service';
import { V1MessagingController } from './v1-messaging.controller';

/** Sending, receiving and storing messages, their statuses and typing presences (issue 8). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      MessageEntity,
      MessageStatusEntity,
      ChatPresenceEntity,
      QueuedSendEntity,
    ]),
    WhatsappModule,
    SessionsModule,
    MetricsModule,
    AccessModule,
    // uploads (field `file`) stay in memory (multer's default storage), at most MEDIA_MAX_BYTES
    // (larger: 413)
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.messaging.media.maxBytes, files: 1 },
      }),
    }),
  ],
  controllers: [V1MessagingController, SessionMessagingController, ChatsController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    MessageStore,
    ChatPresenceStore,
    MessageQueries,
    MessageMedia,
    MediaAutoDownload,
    SessionGate,
    RecipientResolver,
    MediaSource,
    MessageComposer,
    SendQueue,
    MessagingService,
    ChatsService,
    SendRoute,
  ],
  exports: [
    MessageStore,
    ChatPresenceStore,
    MessageQueries,
    MessagingService,
    SendQueue,
    MessageComposer,
    SendRoute,
  ],
})
export class MessagingModule {}
