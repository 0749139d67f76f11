import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { toInt, emptyToUndefined, configSection } from '../config/config-section';

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
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_READ_PER_MINUTE = 3000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_INGEST_PER_MINUTE = 600_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE = 300;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
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
