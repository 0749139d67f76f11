import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { configSection, listOf, trimmed, WholeNumber } from '../config/config-section';

export interface CampaignsConfig {
  /** Largest CSV/XLSX recipient upload; larger is a 413. */
  uploadMaxBytes: number;
  /** An inbound message that is exactly one of these (case-insensitive) opts its sender out. */
  stopKeywords: string[];
  /** A running campaign's CampaignProgress webhook at most this often (0: state changes only). */
  progressWebhookMs: number;
}

/** Campaign uploads and opt-out replies (CAMPAIGN_*). */
class CampaignsEnvironment {
  @WholeNumber({ min: 1024, unit: 'bytes' })
  CAMPAIGN_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

  @Transform(trimmed)
  @IsString()
  @MaxLength(1000)
  CAMPAIGN_STOP_KEYWORDS = 'STOP,UNSUBSCRIBE,BERHENTI,STOP PROMO';

  @WholeNumber({ min: 0, unit: 'milliseconds' })
  CAMPAIGN_PROGRESS_WEBHOOK_MS = 30_000;
}

export const campaignsConfig = configSection(CampaignsEnvironment, (env): CampaignsConfig => ({
  uploadMaxBytes: env.CAMPAIGN_UPLOAD_MAX_BYTES,
  stopKeywords: listOf(env.CAMPAIGN_STOP_KEYWORDS).map((word) => word.toUpperCase()),
  progressWebhookMs: env.CAMPAIGN_PROGRESS_WEBHOOK_MS,
}));
