import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { MessagingEventsRelay } from './messaging-events.relay';
import { MessagingSocketCommands } from './messaging-socket';
import { SessionEventsRelay } from './session-events.relay';
import { SessionsGateway } from './sessions.gateway';

@Module({
  imports: [SessionsModule, WhatsappModule, MessagingModule],
  providers: [SessionsGateway, SessionEventsRelay, MessagingEventsRelay, MessagingSocketCommands],
})
export class RealtimeModule {}
