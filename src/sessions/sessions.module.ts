import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { WhatsappSessionEntity } from './whatsapp-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([WhatsappSessionEntity])],
  controllers: [SessionsController],
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
