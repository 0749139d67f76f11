import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const SEND_TYPES = [
  'text',
  'image',
  'document',
  'video',
  'audio',
  'location',
  'contact',
  'reaction',
  'edit',
  'delete',
] as const;
export type SendType = (typeof SEND_TYPES)[number];

export class LocationDto {
  @Type(() => Number)
  @IsNumber()
  @Min(-90)
  @Max(90)
  @ApiProperty({ example: -6.2 })
  latitude!: number;

  @Type(() => Number)
  @IsNumber()
  @Min(-180)
  @Max(180)
  @ApiProperty({ example: 106.816666 })
  longitude!: number;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;
}

export class ContactCardDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: 'Yoga' })
  fullName!: string;

  /** The contact's number (any common form) */
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  @ApiProperty({ example: '6281233784490' })
  phoneNumber!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  organization?: string;
}

/** One message to send (seed 002 `send_whatsapp_message`, plus what other gateways offer). */
export class SendMessageDto {
  /** Phone number (any common form), user JID, group JID (…@g.us) or LID (…@lid) */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: '6282284316465' })
  to!: string;

  /** The text; the caption of a media message; the new text of an edit */
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  @ApiProperty({ required: false, example: 'Hello World!' })
  message?: string;

  @IsOptional()
  @IsIn(SEND_TYPES)
  @ApiProperty({ enum: SEND_TYPES, default: 'text', required: false })
  type?: SendType;

  /** Media: an http(s) URL, base64 (or a data URL), or a path inside MEDIA_DIR */
  @IsOptional()
  @IsString()
  @ApiProperty({ required: false, example: 'https://example.com/photo.jpg' })
  media?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  caption?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  fileName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  mimetype?: string;

  /** Send audio as a voice note */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  ptt?: boolean;

  /** Reply to this stored message */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  quotedMessageId?: string;

  /** Group members to mention (numbers or JIDs); write them as @<number> in the text */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1024)
  @IsString({ each: true })
  mentions?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => LocationDto)
  location?: LocationDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => ContactCardDto)
  contact?: ContactCardDto;

  /** The message a reaction, edit or delete acts on */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  messageId?: string;

  /** The reaction; empty removes ours */
  @IsOptional()
  @IsString()
  @MaxLength(16)
  emoji?: string;
}

/** `send_whatsapp_message` over socket.io: the same fields and the session. */
export class SocketSendMessageDto extends SendMessageDto {
  @IsString()
  @ApiProperty({ example: 'my-session' })
  sessionId!: string;
}

/** What a send answers. */
export class SentMessageDto {
  @ApiProperty({ example: '3EB0C431C26A1916E07E' })
  messageId!: string;

  @ApiProperty({ example: '6282284316465' })
  to!: string;

  @ApiProperty({ example: '6282284316465@s.whatsapp.net' })
  chatJid!: string;

  @ApiProperty({ enum: SEND_TYPES, example: 'text' })
  type!: string;

  @ApiProperty({ example: 'Hello World!', nullable: true, type: String })
  message!: string | null;

  @ApiProperty({ example: 'sent' })
  status!: string;

  @ApiProperty({ example: '2025-08-14T07:55:01.000Z' })
  timestamp!: string;
}
