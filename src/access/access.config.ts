import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { emptyToUndefined, configSection, WholeNumber } from '../config/config-section';

export interface AccessConfig {
  /** Requests per minute and key; 0 is unlimited. */
  rateLimits: { write: number; read: number; ingest: number };
  /** Requests without a valid key, per client IP and minute */
  unauthenticatedPerMinute: number;
  /** Shared rate-limit counters for several processes; in memory when unset. */
  redisUrl: string | undefined;
  auditRetentionDays: number;
}

/** Rate limits, their shared store and the audit trail. */
class AccessEnvironment {
  @WholeNumber({ min: 0, unit: 'requests', note: '0 turns the limit off' })
  RATE_LIMIT_PER_MINUTE = 600;

  @WholeNumber({ min: 0, unit: 'requests', note: '0 turns the limit off' })
  RATE_LIMIT_READ_PER_MINUTE = 3000;

  @WholeNumber({ min: 0, unit: 'requests', note: '0 turns the limit off' })
  RATE_LIMIT_INGEST_PER_MINUTE = 600_000;

  @WholeNumber({ min: 0, unit: 'requests', note: '0 turns the limit off' })
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE = 300;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @WholeNumber({ min: 1, unit: 'days' })
  AUDIT_RETENTION_DAYS = 90;
}

export const accessConfig = configSection(AccessEnvironment, (env): AccessConfig => ({
  rateLimits: {
    write: env.RATE_LIMIT_PER_MINUTE,
    read: env.RATE_LIMIT_READ_PER_MINUTE,
    ingest: env.RATE_LIMIT_INGEST_PER_MINUTE,
  },
  unauthenticatedPerMinute: env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
  redisUrl: env.REDIS_URL,
  auditRetentionDays: env.AUDIT_RETENTION_DAYS,
}));
