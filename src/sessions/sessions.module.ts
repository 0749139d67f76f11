import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactEntity } from '../contacts/contact.entity';
import { MessagingModule } from '../messaging/messaging.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { QrImageService } from './qr-image.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { V1SessionsController } from './v1-sessions.controller';
import { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([WhatsappSessionEntity, ContactEntity]),
    WhatsappModule,
    MessagingModule,
  ],
  controllers: [SessionsController, V1SessionsController],
  providers: [SessionsService, QrImageService],
  exports: [SessionsService, QrImageService],
})
export class SessionsModule {}
