import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import { logRedisErrors } from '../common/redis/redis-errors';
import { AppConfig } from '../config/app-config';
import { AccessGuard } from './access.guard';
import { ApiKeyEntity } from './api-key.entity';
import { FixedWindowStore } from './fixed-window-store';
import { ApiKeysController, AuditController, CurrentKeyController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuditEventEntity } from './audit-event.entity';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';
import { UnauthenticatedLimiter } from './unauthenticated-limiter';
import { limitFor, RATE_WINDOW_MS, RateLimitGuard, RequestRateLimiter } from './rate-limit.guard';
import { ScopeFilterInterceptor } from './scope-filter.interceptor';
import { PlainRouteAccess } from './plain-route-access';

/** Rate-limit counters in Redis (shared by every process of a cluster). */
function redisStorage(url: string): ThrottlerStorageRedisService {
  const storage = new ThrottlerStorageRedisService(url);
  logRedisErrors(storage.redis, 'rate limits');
  return storage;
}

/**
 * Access control: scoped API keys (the guard on every route), per-key rate limits and the audit
 * trail. The guards run in this order: who is calling and may they, then how often.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKeyEntity, AuditEventEntity]),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [
          {
            name: 'default',
            ttl: RATE_WINDOW_MS,
            limit: (context) =>
              limitFor(config.access.rateLimits, context.switchToHttp().getRequest<Request>()),
          },
        ],
        storage: config.access.redisUrl
          ? redisStorage(config.access.redisUrl)
          : new FixedWindowStore(),
      }),
    }),
  ],
  controllers: [ApiKeysController, CurrentKeyController, AuditController],
  providers: [
    ApiKeysService,
    AuditService,
    UnauthenticatedLimiter,
    RequestRateLimiter,
    AccessGuard,
    RateLimitGuard,
    PlainRouteAccess,
    { provide: APP_GUARD, useExisting: AccessGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    { provide: APP_INTERCEPTOR, useClass: ScopeFilterInterceptor },
  ],
  exports: [
    ApiKeysService,
    AuditService,
    UnauthenticatedLimiter,
    RequestRateLimiter,
    PlainRouteAccess,
  ],
})
export class AccessModule {}
