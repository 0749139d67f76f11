import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { MessagingEventsRelay } from './messaging-events.relay';
import { SessionEventsRelay } from './session-events.relay';
import { SessionsGateway } from './sessions.gateway';

@Module({
  imports: [SessionsModule, WhatsappModule, MessagingModule],
  providers: [SessionsGateway, SessionEventsRelay, MessagingEventsRelay],
})
export class RealtimeModule {}
