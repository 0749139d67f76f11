import { ApiProperty } from '@nestjs/swagger';
import { MESSAGE_TYPES, PRESENCE_STATES } from '../../whatsapp/message-events';
import { STORED_MESSAGE_STATUSES } from '../entities/message.entity';
import { RECEIPT_STATUSES } from '../entities/message-status.entity';

/** A stored message in seed 003's snake_case shape. */
export class V1MessageDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'genfitywa1' })
  user_token!: string;

  @ApiProperty({ example: '53829C3632356D0F08BFB6BDB41A706F' })
  message_id!: string;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  chat_jid!: string;

  @ApiProperty({ example: '6289668176764@s.whatsapp.net', nullable: true, type: String })
  sender_jid!: string | null;

  /** Digits only, when the sender's number is known (never guessed from a LID) */
  @ApiProperty({ example: '6289668176764', nullable: true, type: String })
  sender_phone!: string | null;

  @ApiProperty({ example: true })
  is_from_me!: boolean;

  @ApiProperty({ example: false })
  is_group!: boolean;

  @ApiProperty({ example: 'Yoga', nullable: true, type: String })
  push_name!: string | null;

  @ApiProperty({ enum: MESSAGE_TYPES, example: 'text' })
  type!: string;

  /** The text, or a media message's caption */
  @ApiProperty({ example: 'ya', nullable: true, type: String })
  text!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  quoted_id!: string | null;

  /** For reactions, edits and revokes: the message they act on */
  @ApiProperty({ example: null, nullable: true, type: String })
  target_id!: string | null;

  @ApiProperty({ type: [String], example: [] })
  mentions!: string[];

  @ApiProperty({ example: null, nullable: true, type: String })
  media_mimetype!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  media_file_name!: string | null;

  @ApiProperty({ example: null, nullable: true, type: Number })
  media_file_length!: number | null;

  @ApiProperty({ enum: STORED_MESSAGE_STATUSES, example: 'read' })
  status!: string;

  @ApiProperty({ example: '2025-08-14T07:55:01.000Z' })
  timestamp!: string;

  @ApiProperty({ example: '2025-08-14T07:55:54.000Z', nullable: true, type: String })
  status_at!: string | null;

  /** 003's `Message` object (WhatsApp's protobuf JSON) */
  @ApiProperty({ type: Object, example: { conversation: 'ya' }, nullable: true })
  message!: Record<string, unknown> | null;

  @ApiProperty({ example: '2025-08-14T07:55:01.000Z' })
  created_at!: string;
}

/** One delivery or read receipt (seed 003 `WhatsAppMessageStatus`). */
export class V1MessageStatusDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'genfitywa1' })
  user_token!: string;

  @ApiProperty({ example: '53829C3632356D0F08BFB6BDB41A706F' })
  message_id!: string;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  chat_jid!: string;

  /** Who delivered or read it (groups); null in 1:1 chats */
  @ApiProperty({ example: null, nullable: true, type: String })
  participant_jid!: string | null;

  @ApiProperty({ enum: RECEIPT_STATUSES, example: 'read' })
  status!: string;

  @ApiProperty({ example: '2025-08-14T07:55:54.000Z' })
  event_timestamp!: string;

  @ApiProperty({ example: '2025-08-14T07:55:54.000Z' })
  created_at!: string;
}

/** A participant's typing state in a chat (seed 003 `WhatsAppChatPresence`). */
export class V1ChatPresenceDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'genfitywa1' })
  user_token!: string;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  chat_jid!: string;

  @ApiProperty({ example: '6281233784490@s.whatsapp.net' })
  sender_jid!: string;

  @ApiProperty({ enum: PRESENCE_STATES, example: 'composing' })
  state!: string;

  /** True when the gateway turned a composing into paused after 10 s */
  @ApiProperty({ example: false })
  auto_stopped!: boolean;

  /** When a composing state expires */
  @ApiProperty({ example: '2025-08-14T07:55:51.000Z', nullable: true, type: String })
  expires_at!: string | null;

  @ApiProperty({ example: '2025-08-14T07:55:41.000Z' })
  event_timestamp!: string;

  @ApiProperty({ example: '2025-08-14T07:55:41.000Z' })
  updated_at!: string;
}
