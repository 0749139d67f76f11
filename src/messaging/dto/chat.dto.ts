import { ApiProperty } from '@nestjs/swagger';

/** A stored message in a chat's history (camelCase, like seed 002's message_received). */
export class ChatMessageDto {
  @ApiProperty({ example: '3EB0C431C26A1916E07E' })
  id!: string;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net', nullable: true, type: String })
  from!: string | null;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  chat!: string;

  @ApiProperty({ example: 'Hello', nullable: true, type: String })
  text!: string | null;

  @ApiProperty({ example: 'text' })
  type!: string;

  @ApiProperty({ example: false })
  isGroup!: boolean;

  @ApiProperty({ example: false })
  fromMe!: boolean;

  @ApiProperty({ example: 'Yoga', nullable: true, type: String })
  pushName!: string | null;

  @ApiProperty({ example: '6281233784490', nullable: true, type: String })
  senderPhone!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  quotedId!: string | null;

  @ApiProperty({ example: 'read' })
  status!: string;

  @ApiProperty({ example: '2025-08-14T07:55:01.000Z' })
  timestamp!: string;
}

export class ChatSummaryDto {
  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  chatJid!: string;

  @ApiProperty({ example: false })
  isGroup!: boolean;

  @ApiProperty({ example: 12 })
  messageCount!: number;

  /** Received messages not marked read yet */
  @ApiProperty({ example: 2 })
  unreadCount!: number;

  @ApiProperty({ type: ChatMessageDto, nullable: true })
  lastMessage!: ChatMessageDto | null;
}
