import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { QrImageService } from './qr-image.service';
import { SessionHooks } from './session-hooks';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { V1SessionsController } from './v1-sessions.controller';
import { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([WhatsappSessionEntity]), WhatsappModule],
  controllers: [SessionsController, V1SessionsController],
  providers: [SessionsService, QrImageService, SessionHooks],
  exports: [SessionsService, QrImageService, SessionHooks],
})
export class SessionsModule {}
