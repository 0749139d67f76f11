import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { PaginationQueryDto } from '../../common/http/pagination';
import { MESSAGE_TYPES, PRESENCE_STATES } from '../../whatsapp/message-events';
import type { MessageType, PresenceState } from '../../whatsapp/message-events';
import { RECEIPT_STATUSES } from '../entities/message-status.entity';
import type { ReceiptStatus } from '../entities/message-status.entity';

/** Filters every seed 003 list shares: the session (`user_token`), the chat, a time range. */
export class V1StoreQueryDto extends PaginationQueryDto {
  /** The session id (003's webhook token) */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @ApiProperty({ required: false, example: 'genfitywa1' })
  user_token?: string;

  /** Only this chat (user JID, group JID or LID) */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @ApiProperty({ required: false, example: '6281233784490@s.whatsapp.net' })
  chat_jid?: string;

  /** From this time on (ISO 8601) */
  @IsOptional()
  @IsDateString({ strict: true })
  @ApiProperty({ required: false, example: '2025-08-14T00:00:00Z' })
  from?: string;

  /** Up to this time (ISO 8601) */
  @IsOptional()
  @IsDateString({ strict: true })
  @ApiProperty({ required: false, example: '2025-08-15T00:00:00Z' })
  to?: string;
}

export class V1MessagesQueryDto extends V1StoreQueryDto {
  /** One message by its WhatsApp id */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @ApiProperty({ required: false, example: '53829C3632356D0F08BFB6BDB41A706F' })
  message_id?: string;

  @IsOptional()
  @IsIn(MESSAGE_TYPES)
  @ApiProperty({ required: false, enum: MESSAGE_TYPES })
  type?: MessageType;

  /** Only ours (true) or only received ones (false) */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  @ApiProperty({ required: false, type: Boolean })
  from_me?: boolean;
}

export class V1MessageStatusesQueryDto extends V1StoreQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @ApiProperty({ required: false, example: '53829C3632356D0F08BFB6BDB41A706F' })
  message_id?: string;

  @IsOptional()
  @IsIn(RECEIPT_STATUSES)
  @ApiProperty({ required: false, enum: RECEIPT_STATUSES })
  status?: ReceiptStatus;
}

export class V1ChatPresencesQueryDto extends V1StoreQueryDto {
  @IsOptional()
  @IsIn(PRESENCE_STATES)
  @ApiProperty({ required: false, enum: PRESENCE_STATES })
  state?: PresenceState;
}
