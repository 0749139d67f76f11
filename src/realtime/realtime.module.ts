import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { MessagingModule } from '../messaging/messaging.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { CampaignEventsRelay } from './campaign-events.relay';
import { GrabEventsRelay } from './grab-events.relay';
import { MessagingEventsRelay } from './messaging-events.relay';
import { MessagingSocketCommands } from './messaging-socket';
import { SessionEventsRelay } from './session-events.relay';
import { SessionsGateway } from './sessions.gateway';
import { SocketEventsController } from './socket-events.controller';

@Module({
  controllers: [SocketEventsController],
  imports: [AccessModule, CredentialsModule, SessionsModule, WhatsappModule, MessagingModule],
  providers: [
    SessionsGateway,
    SessionEventsRelay,
    GrabEventsRelay,
    CampaignEventsRelay,
    MessagingEventsRelay,
    MessagingSocketCommands,
  ],
})
export class RealtimeModule {}
