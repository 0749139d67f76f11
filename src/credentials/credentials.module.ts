import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';

/** Seed 004's credentials routes, over the SessionManager (the design card's fifth module). */
@Module({
  imports: [SessionsModule, WhatsappModule],
  controllers: [CredentialsController],
  providers: [CredentialsService],
  exports: [CredentialsService],
})
export class CredentialsModule {}
