import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import {
  trimmed,
  emptyToUndefined,
  listOf,
  configSection,
  WholeNumber,
} from '../config/config-section';

export interface WebhooksConfig {
  /** The global target (every session's events), when set. */
  url: string | undefined;
  secret: string | undefined;
  /** 003 event types the global target gets, or ['*']. */
  events: string[];
  /** When set, ingest also accepts a valid x-hmac-signature instead of the API key. */
  ingestSecret: string | undefined;
  timeoutMs: number;
  concurrency: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failed attempts after which a target is paused (0: never). */
  pauseAfterFailures: number;
  leaseMs: number;
  pollIntervalMs: number;
  retentionHours: number;
  rawRetentionHours: number;
}

/** Outbound webhooks, their outbox and the ingest (WEBHOOK_*). */
class WebhooksEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  WEBHOOK_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/, {
    message:
      'must be a Standard Webhooks secret: whsec_ followed by base64 (at least 16 characters)',
  })
  WEBHOOK_SECRET?: string;

  @Transform(trimmed)
  @Matches(/^\s*(\*|[A-Za-z]+(\s*,\s*[A-Za-z]+)*)\s*$/, {
    message: 'must be * or a comma-separated list of event types such as Message,ReadReceipt',
  })
  WEBHOOK_EVENTS = '*';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters long' })
  WEBHOOK_INGEST_SECRET?: string;

  @WholeNumber({ min: 100, unit: 'milliseconds' })
  WEBHOOK_TIMEOUT_MS = 10_000;

  @WholeNumber({ min: 1, max: 1000 })
  WEBHOOK_CONCURRENCY = 64;

  @WholeNumber({ min: 1 })
  WEBHOOK_MAX_ATTEMPTS = 10;

  @WholeNumber({ min: 10, unit: 'milliseconds' })
  WEBHOOK_RETRY_BASE_DELAY_MS = 1000;

  @WholeNumber({ min: 10, unit: 'milliseconds' })
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  @WholeNumber({ min: 0, note: '0 never pauses' })
  WEBHOOK_PAUSE_AFTER_FAILURES = 50;

  @WholeNumber({ min: 500, unit: 'milliseconds' })
  WEBHOOK_LEASE_MS = 30_000;

  @WholeNumber({ min: 10, unit: 'milliseconds' })
  WEBHOOK_POLL_INTERVAL_MS = 500;

  @WholeNumber({ min: 1, unit: 'hours' })
  WEBHOOK_RETENTION_HOURS = 168;

  @WholeNumber({ min: 1, unit: 'hours' })
  WEBHOOK_RAW_RETENTION_HOURS = 168;
}

export const webhooksConfig = configSection(WebhooksEnvironment, (env): WebhooksConfig => ({
  url: env.WEBHOOK_URL,
  secret: env.WEBHOOK_SECRET,
  events: listOf(env.WEBHOOK_EVENTS),
  ingestSecret: env.WEBHOOK_INGEST_SECRET,
  timeoutMs: env.WEBHOOK_TIMEOUT_MS,
  concurrency: env.WEBHOOK_CONCURRENCY,
  maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
  retryBaseDelayMs: env.WEBHOOK_RETRY_BASE_DELAY_MS,
  retryMaxDelayMs: Math.max(env.WEBHOOK_RETRY_MAX_DELAY_MS, env.WEBHOOK_RETRY_BASE_DELAY_MS),
  pauseAfterFailures: env.WEBHOOK_PAUSE_AFTER_FAILURES,
  leaseMs: env.WEBHOOK_LEASE_MS,
  pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
  retentionHours: env.WEBHOOK_RETENTION_HOURS,
  rawRetentionHours: env.WEBHOOK_RAW_RETENTION_HOURS,
}));
