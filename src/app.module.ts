import { ClusterModule } from './cluster/cluster.module';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccessModule } from './access/access.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { AuthModule } from './common/auth/auth.module';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { CredentialsModule } from './credentials/credentials.module';
import { ContactsModule } from './contacts/contacts.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './whatsapp/events/event-outbox';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MessagingModule } from './messaging/messaging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SessionsModule } from './sessions/sessions.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot({ wildcard: false, maxListeners: 50 }),
        LoggingModule,
        DatabaseModule,
        ClusterModule,
        EventsModule,
        AuthModule,
        AccessModule,
        HealthModule,
        MetricsModule,
        SessionsModule,
        CredentialsModule,
        ContactsModule,
        MessagingModule,
        RealtimeModule,
        WebhooksModule,
        CampaignsModule,
        DashboardModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
