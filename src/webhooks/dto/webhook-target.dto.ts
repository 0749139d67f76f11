import { ApiProperty, PartialType } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
} from 'class-validator';
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from '../webhook-event-types';

const EVENT_CHOICES = [ALL_EVENTS, ...WEBHOOK_EVENT_TYPES];
export const SECRET_PATTERN = /^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/;
const URL_OPTIONS = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};

export class CreateWebhookDto {
  /** Where to POST events (http or https) */
  @IsUrl(URL_OPTIONS, { message: 'url must be an http:// or https:// URL' })
  @MaxLength(2048)
  url!: string;

  /**
   * 003 event types to deliver, or ["*"] for all
   * @example ["Message", "ReadReceipt"]
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(EVENT_CHOICES, {
    each: true,
    message: `events must be "*" or of: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
  })
  events?: string[];

  /**
   * Standard Webhooks signing secret (whsec_ + base64); generated when omitted. Shown only in the creation response.
   * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
   */
  @IsOptional()
  @IsString()
  @Matches(SECRET_PATTERN, {
    message: 'secret must be whsec_ followed by base64 (at least 16 characters)',
  })
  secret?: string;

  /** Deliver events now (default true) */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** Any of the creation fields; the URL is validated again, the secret is never echoed. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {}

export class WebhookViewDto {
  /** @example 0b7c6f8e-2a64-4c0e-9a55-6f7f2d0d2a11 */
  id!: string;
  /** @example sales-1 */
  sessionId!: string | null;
  /** @example https://example.com/hooks/whatsapp */
  url!: string;
  @ApiProperty({ type: [String], example: ['*'] })
  events!: string[];
  enabled!: boolean;
  /** True when delivery stopped after repeated failures (resume with POST .../resume) */
  paused!: boolean;
  pausedAt!: string | null;
  /** @example 50 consecutive failed attempts; last: HTTP 500 */
  pauseReason!: string | null;
  consecutiveFailures!: number;
  createdAt!: string;
  updatedAt!: string;
}

export class CreatedWebhookViewDto extends WebhookViewDto {
  /** The signing secret: shown once, here. @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw */
  secret!: string;
}
