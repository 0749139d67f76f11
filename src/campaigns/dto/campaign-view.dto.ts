import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../common/http/pagination';
import { CAMPAIGN_STATES } from '../entities/campaign.entity';
import { RECIPIENT_STATES } from '../entities/campaign-recipient.entity';

export class RecipientCountsDto {
  @ApiProperty({ example: 120 }) pending!: number;
  @ApiProperty({ example: 1 }) queued!: number;
  @ApiProperty({ example: 40 }) sent!: number;
  @ApiProperty({ example: 25 }) delivered!: number;
  @ApiProperty({ example: 10 }) read!: number;
  @ApiProperty({ example: 1 }) failed!: number;
  @ApiProperty({ example: 3 }) skipped!: number;
}

/** A campaign with its progress. */
export class CampaignViewDto {
  @ApiProperty({ example: '1' }) id!: string;
  @ApiProperty({ example: 'sales-1' }) sessionId!: string;
  @ApiProperty({ example: 'Promo Agustus' }) name!: string;
  @ApiProperty({ enum: CAMPAIGN_STATES, example: 'running' }) state!: string;
  /** Why it is paused: `user` or `session_offline` */
  @ApiProperty({ nullable: true, type: String, example: null }) pauseReason!: string | null;
  @ApiProperty({ example: 'text' }) type!: string;
  @ApiProperty({ nullable: true, type: String, example: '{Halo|Hai} {{name|Kak}}' })
  message!: string | null;
  @ApiProperty({ example: { voucher: 'HEMAT' } }) defaults!: Record<string, string>;
  @ApiProperty({
    example: {
      minIntervalMs: 3000,
      maxIntervalMs: 8000,
      dailyCap: null,
      quietHours: { start: '21:00', end: '08:00' },
      timeZone: 'Asia/Jakarta',
    },
  })
  pacing!: object;
  @ApiProperty({ example: 200 }) totalRecipients!: number;
  @Type(() => RecipientCountsDto) counts!: RecipientCountsDto;
  /** Quiet hours or the daily cap hold the next send until then */
  @ApiProperty({ nullable: true, type: String, example: null }) nextSendAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) scheduledAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-08-17T02:00:00.000Z' })
  startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) finishedAt!: string | null;
  @ApiProperty({ example: '2026-08-17T01:59:00.000Z' }) createdAt!: string;
}

export class RecipientViewDto {
  @ApiProperty({ example: '6281234567890' }) address!: string;
  @ApiProperty({ nullable: true, type: String, example: '6281234567890@s.whatsapp.net' })
  jid!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Budi' }) name!: string | null;
  @ApiProperty({ enum: RECIPIENT_STATES, example: 'delivered' }) state!: string;
  /** Why it failed or was skipped */
  @ApiProperty({ nullable: true, type: String, example: null }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '3EB0C431C26A1916E07E' })
  messageId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-08-17T02:00:03.000Z' })
  queuedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-08-17T02:00:09.000Z' })
  updatedAt!: string | null;
}

export class CampaignListQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsIn(CAMPAIGN_STATES, { message: `state must be one of: ${CAMPAIGN_STATES.join(', ')}` })
  state?: (typeof CAMPAIGN_STATES)[number];
}

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;

export class RecipientsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsIn(RECIPIENT_STATES, { message: `state must be one of: ${RECIPIENT_STATES.join(', ')}` })
  state?: (typeof RECIPIENT_STATES)[number];

  /** json (paginated), or the whole report as csv or xlsx */
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: 'format must be one of: json, csv, xlsx' })
  format?: (typeof REPORT_FORMATS)[number];
}
