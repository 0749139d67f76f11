import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';

export class CheckNumbersDto {
  /** Up to 500 numbers in any common form */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  @ApiProperty({ example: ['6281234567890', '+62 812-3456-7891'] })
  phoneNumbers!: string[];
}

export class NumberCheckDto {
  /** As given */
  @ApiProperty({ example: '+62 812-3456-7890' })
  phoneNumber!: string;

  /** Digits only; null when it is not a phone number */
  @ApiProperty({ example: '6281234567890', nullable: true, type: String })
  normalized!: string | null;

  @ApiProperty({ example: true })
  exists!: boolean;

  @ApiProperty({ example: '6281234567890@s.whatsapp.net', nullable: true, type: String })
  jid!: string | null;
}

export class BusinessInfoDto {
  @ApiProperty({ nullable: true, type: String })
  description!: string | null;

  @ApiProperty({ nullable: true, type: String })
  category!: string | null;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({ type: [String] })
  website!: string[];
}

export class ProfileInfoDto {
  @ApiProperty({ example: '6281234567890' })
  phoneNumber!: string;

  @ApiProperty({ example: '6281234567890@s.whatsapp.net' })
  jid!: string;

  /** The push name last seen from this number, when known */
  @ApiProperty({ example: 'Yoga', nullable: true, type: String })
  name!: string | null;

  /** The "about" text */
  @ApiProperty({ example: 'Hey there! I am using WhatsApp.', nullable: true, type: String })
  status!: string | null;

  @ApiProperty({ example: 'https://pps.whatsapp.net/v/...', nullable: true, type: String })
  pictureUrl!: string | null;

  @ApiProperty({ type: BusinessInfoDto, nullable: true, required: false })
  business?: BusinessInfoDto | null;
}

export class TypingDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: '6282284316465' })
  to!: string;

  @IsBoolean()
  @ApiProperty({ example: true })
  isTyping!: boolean;
}

/** Baileys' message key, as 002's `read_message` passes it */
export class MessageKeyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  remoteJid!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  id!: string;

  @IsOptional()
  @IsBoolean()
  fromMe?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  participant?: string;
}

export class ReadMessagesDto {
  /** A message key as Baileys gives it (002) */
  @IsOptional()
  @ValidateNested()
  @Type(() => MessageKeyDto)
  messageKey?: MessageKeyDto;

  /** Or stored message ids */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  messageIds?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(128)
  messageId?: string;
}
