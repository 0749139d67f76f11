import { ApiProperty, PickType } from '@nestjs/swagger';
import { ContactsSourceDto } from '../../contacts/dto/contacts-source.dto';
import { SendMessageDto } from '../../messaging/dto/send-message.dto';
import { plainToInstance, Transform, Type, type ClassConstructor } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const CAMPAIGN_MESSAGE_TYPES = ['text', 'image', 'document', 'video', 'audio'] as const;
export const MAX_CAMPAIGN_RECIPIENTS = 100_000;

/** Multipart form fields carry objects as JSON text: parsed, then made a `type` (validated). */
const parsedJson =
  (type?: ClassConstructor<object>) =>
  ({ value }: { value: unknown }): unknown => {
    if (typeof value !== 'string') {
      return value;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
    return type && parsed !== null && typeof parsed === 'object'
      ? plainToInstance(type, parsed)
      : parsed;
  };

/** One recipient given explicitly. */
export class RecipientItemDto {
  /** Phone number (any common form) or group JID */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: '6281234567890' })
  to!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  @ApiProperty({ required: false, example: 'Budi' })
  name?: string;

  /** Template variables of this recipient */
  @IsOptional()
  @IsObject()
  @ApiProperty({ required: false, example: { voucher: 'HEMAT10' } })
  variables?: Record<string, string>;
}

export class QuietHoursDto {
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'start must be a time HH:MM' })
  @ApiProperty({ example: '21:00' })
  start!: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'end must be a time HH:MM' })
  @ApiProperty({ example: '08:00' })
  end!: string;
}

/** Per-campaign pacing, on top of the session's send queue. */
export class PacingDto {
  /** Least wait between two sends of this campaign (default 3000) */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  minIntervalMs?: number;

  /** Most wait between two sends (default: minIntervalMs + 5000); a random wait in between */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  maxIntervalMs?: number;

  /** Sends per day, counted in timeZone */
  @IsOptional()
  @IsInt()
  @Min(1)
  dailyCap?: number;

  /** No sends from start to end (local times in timeZone; may wrap midnight) */
  @IsOptional()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto;

  /** IANA time zone of quiet hours and the daily cap (default UTC) */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @ApiProperty({ required: false, example: 'Asia/Jakarta' })
  timeZone?: string;
}

/**
 * A campaign: the message (the send route's text and media fields, with `{{variables}}` and
 * `{spin|tax}` in text and caption), and its recipients: stored contacts, a saved contact list,
 * an explicit list, or an uploaded CSV/XLSX (multipart field `file`).
 */
export class CreateCampaignDto extends PickType(SendMessageDto, [
  'message',
  'media',
  'caption',
  'fileName',
  'mimetype',
  'ptt',
] as const) {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: 'Promo Agustus' })
  name!: string;

  @IsOptional()
  @IsIn(CAMPAIGN_MESSAGE_TYPES)
  @ApiProperty({ enum: CAMPAIGN_MESSAGE_TYPES, default: 'text', required: false })
  type?: (typeof CAMPAIGN_MESSAGE_TYPES)[number];

  /** Recipients from stored contacts */
  @IsOptional()
  @Transform(parsedJson(ContactsSourceDto))
  @ValidateNested()
  @Type(() => ContactsSourceDto)
  contacts?: ContactsSourceDto;

  /** Recipients: the members of a saved contact list of this session (its id) */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'listId must be a contact list id' })
  @ApiProperty({ required: false, example: '1' })
  listId?: string;

  /** Recipients given explicitly */
  @ApiProperty({
    required: false,
    type: [RecipientItemDto],
    example: [{ to: '6281234567890', name: 'Budi', variables: { voucher: 'HEMAT10' } }],
  })
  @IsOptional()
  @Transform(parsedJson(RecipientItemDto))
  @IsArray()
  // no @ArrayMaxSize: more than MAX_CAMPAIGN_RECIPIENTS is the planner's 413, as for every source
  @ValidateNested({ each: true })
  @Type(() => RecipientItemDto)
  recipients?: RecipientItemDto[];

  /** Values of variables that are empty for a recipient */
  @IsOptional()
  @Transform(parsedJson())
  @IsObject()
  @ApiProperty({ required: false, example: { voucher: 'HEMAT' } })
  defaults?: Record<string, string>;

  /** Start later (ISO 8601); at once when omitted */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'scheduledAt must be an ISO 8601 date-time' })
  @ApiProperty({ required: false, example: '2026-08-17T02:00:00Z' })
  scheduledAt?: string;

  @IsOptional()
  @Transform(parsedJson(PacingDto))
  @ValidateNested()
  @Type(() => PacingDto)
  pacing?: PacingDto;
}
