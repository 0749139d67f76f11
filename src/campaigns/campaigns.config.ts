import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { configSection, listOf, trimmed, WholeNumber } from '../config/config-section';

export interface CampaignsConfig {
  /** Largest CSV/XLSX recipient upload; larger is a 413. */
  uploadMaxBytes: number;
  /** An inbound message that is exactly one of these (case-insensitive) opts its sender out. */
  stopKeywords: string[];
}

/** Campaign uploads and opt-out replies (CAMPAIGN_*). */
class CampaignsEnvironment {
  @WholeNumber({ min: 1024, unit: 'bytes' })
  CAMPAIGN_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

  @Transform(trimmed)
  @IsString()
  @MaxLength(1000)
  CAMPAIGN_STOP_KEYWORDS = 'STOP,UNSUBSCRIBE,BERHENTI,STOP PROMO';
}

export const campaignsConfig = configSection(CampaignsEnvironment, (env): CampaignsConfig => ({
  uploadMaxBytes: env.CAMPAIGN_UPLOAD_MAX_BYTES,
  stopKeywords: listOf(env.CAMPAIGN_STOP_KEYWORDS).map((word) => word.toUpperCase()),
}));
