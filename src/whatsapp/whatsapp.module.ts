import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '../metrics/metrics.module';
import { WhatsappSessionEntity } from './whatsapp-session.entity';
import { AuthKeyEntity } from './auth-key.entity';
import { BaileysMessageFeed } from './baileys/baileys-message-feed';
import { BaileysMediaDownloader } from './baileys/baileys-media-downloader';
import { BaileysMessenger } from './baileys/baileys-messenger';
import { BaileysSessionManager } from './baileys/baileys-session-manager';
import { AddressBookFeed } from './baileys/address-book-feed';
import { BaileysDirectory } from './baileys/baileys-directory';
import { BaileysSocketHub } from './baileys/socket-hub';
import { WaDirectory } from './address-book/wa-directory';
import { MediaDownloader } from './media-downloader';
import { Messenger } from './messenger';
import { SessionManager } from './session-manager';
import { SessionMetrics } from './session-metrics';
import { SessionRecords } from './session-records';

/** The only module that talks to WhatsApp (through Baileys). */
@Module({
  imports: [TypeOrmModule.forFeature([WhatsappSessionEntity, AuthKeyEntity]), MetricsModule],
  providers: [
    SessionRecords,
    BaileysSocketHub,
    { provide: SessionManager, useClass: BaileysSessionManager },
    SessionMetrics,
    AddressBookFeed,
    { provide: WaDirectory, useClass: BaileysDirectory },
    BaileysMessageFeed,
    { provide: Messenger, useClass: BaileysMessenger },
    { provide: MediaDownloader, useClass: BaileysMediaDownloader },
  ],
  exports: [
    SessionManager,
    SessionRecords,
    BaileysSocketHub,
    WaDirectory,
    Messenger,
    MediaDownloader,
    BaileysMessageFeed,
  ],
})
export class WhatsappModule {}
