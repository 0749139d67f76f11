import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '../metrics/metrics.module';
import { WhatsappSessionEntity } from '../sessions/whatsapp-session.entity';
import { AuthKeyEntity } from './auth-key.entity';
import { BaileysSessionManager } from './baileys/baileys-session-manager';
import { SessionManager } from './session-manager';
import { SessionMetrics } from './session-metrics';
import { SessionRecords } from './session-records';

/** The only module that talks to WhatsApp (through Baileys). */
@Module({
  imports: [TypeOrmModule.forFeature([WhatsappSessionEntity, AuthKeyEntity]), MetricsModule],
  providers: [
    SessionRecords,
    { provide: SessionManager, useClass: BaileysSessionManager },
    SessionMetrics,
  ],
  exports: [SessionManager, SessionRecords],
})
export class WhatsappModule {}
