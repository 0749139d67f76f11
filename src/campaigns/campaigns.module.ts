import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ContactsModule } from '../contacts/contacts.module';
import { Clock, SystemClock } from '../messaging/clock';
import { MessageEntity } from '../messaging/entities/message.entity';
import { MessageStatusEntity } from '../messaging/entities/message-status.entity';
import { QueuedSendEntity } from '../messaging/entities/queued-send.entity';
import { MessagingModule } from '../messaging/messaging.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { CampaignClaims } from './campaign-claims.service';
import { CampaignContent } from './campaign-content.service';
import { CampaignPlanner } from './campaign-planner.service';
import { CampaignProgress } from './campaign-progress.service';
import { CampaignReports } from './campaign-reports.service';
import { CampaignRunner } from './campaign-runner.service';
import { CampaignTracker } from './campaign-tracker.service';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { CampaignRecipientEntity } from './entities/campaign-recipient.entity';
import { CampaignEntity } from './entities/campaign.entity';
import { OptOutEntity } from './entities/opt-out.entity';
import { OptOutsController } from './opt-outs.controller';
import { OptOutsService } from './opt-outs.service';
import { RecipientUpload } from './recipient-upload.service';

/** Blast campaigns on the messaging send path (issue 19). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      CampaignEntity,
      CampaignRecipientEntity,
      OptOutEntity,
      MessageEntity,
      MessageStatusEntity,
      QueuedSendEntity,
    ]),
    WhatsappModule,
    SessionsModule,
    ContactsModule,
    MessagingModule,
    // CSV/XLSX uploads stay in memory, at most CAMPAIGN_UPLOAD_MAX_BYTES (larger: 413)
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.campaigns.uploadMaxBytes, files: 1 },
      }),
    }),
  ],
  controllers: [CampaignsController, OptOutsController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    CampaignContent,
    CampaignPlanner,
    CampaignProgress,
    CampaignTracker,
    CampaignClaims,
    CampaignRunner,
    CampaignsService,
    CampaignReports,
    RecipientUpload,
    OptOutsService,
  ],
  exports: [CampaignsService, CampaignRunner],
})
export class CampaignsModule {}
