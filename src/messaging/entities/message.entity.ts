import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { MESSAGE_TYPES } from '../../whatsapp/message-events';
import type { MessageStatus, MessageType } from '../../whatsapp/message-events';

export const STORED_MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
] as const;

/** One WhatsApp message, inbound or ours (seed 003's message store), unique per session. */
@Entity('whatsapp_messages')
@Unique('uq_whatsapp_messages_message', ['sessionId', 'messageId'])
@Index('idx_whatsapp_messages_chat', ['sessionId', 'chatJid', 'messageTimestamp'])
@Index('idx_whatsapp_messages_time', ['sessionId', 'messageTimestamp'])
export class MessageEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 128 })
  messageId!: string;

  @Column({ name: 'chat_jid', type: 'varchar', length: 255 })
  chatJid!: string;

  @Column({ name: 'sender_jid', type: 'varchar', length: 255, nullable: true })
  senderJid!: string | null;

  @Column({ name: 'sender_phone', type: 'varchar', length: 32, nullable: true })
  senderPhone!: string | null;

  @Column({ name: 'from_me', type: 'boolean', default: false })
  fromMe!: boolean;

  @Column({ name: 'is_group', type: 'boolean', default: false })
  isGroup!: boolean;

  @Column({ name: 'push_name', type: 'varchar', length: 255, nullable: true })
  pushName!: string | null;

  @Column({ type: 'simple-enum', enum: MESSAGE_TYPES, default: 'text' })
  type!: MessageType;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'quoted_id', type: 'varchar', length: 128, nullable: true })
  quotedId!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 128, nullable: true })
  targetId!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  mentions!: string[] | null;

  @Column({ name: 'media_mimetype', type: 'varchar', length: 255, nullable: true })
  mediaMimetype!: string | null;

  @Column({ name: 'media_file_name', type: 'varchar', length: 255, nullable: true })
  mediaFileName!: string | null;

  @Column({
    name: 'media_file_length',
    type: 'bigint',
    nullable: true,
    transformer: {
      to: (value: number | null) => value,
      from: (value: string | number | null) => (value === null ? null : Number(value)),
    },
  })
  mediaFileLength!: number | null;

  @Column({ name: 'media_seconds', type: 'int', nullable: true })
  mediaSeconds!: number | null;

  @Column({ name: 'media_ptt', type: 'boolean', nullable: true })
  mediaPtt!: boolean | null;

  /** What a download needs (url, directPath, mediaKey, ...), as the engine gave it. */
  @Column({ name: 'media_download', type: 'simple-json', nullable: true })
  mediaDownload!: object | null;

  /** The message content as WhatsApp's protobuf JSON (003's `Message`). */
  @Column({ type: 'simple-json', nullable: true })
  content!: object | null;

  @Column({ type: 'simple-enum', enum: STORED_MESSAGE_STATUSES, default: 'sent' })
  status!: MessageStatus;

  @Column({ name: 'message_timestamp', type: 'datetime', precision: 3 })
  messageTimestamp!: Date;

  @Column({ name: 'status_at', type: 'datetime', precision: 3, nullable: true })
  statusAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
