import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const RECEIPT_STATUSES = ['delivered', 'read'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** One delivery or read receipt of a message (seed 003 `WhatsAppMessageStatus`). */
@Entity('whatsapp_message_statuses')
@Unique('uq_whatsapp_message_statuses_receipt', [
  'sessionId',
  'messageId',
  'participantJid',
  'status',
])
@Index('idx_whatsapp_message_statuses_time', ['sessionId', 'eventTimestamp'])
export class MessageStatusEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 128 })
  messageId!: string;

  @Column({ name: 'chat_jid', type: 'varchar', length: 255 })
  chatJid!: string;

  /** Who delivered or read it in a group; '' in 1:1 chats. */
  @Column({ name: 'participant_jid', type: 'varchar', length: 255, default: '' })
  participantJid!: string;

  @Column({ type: 'simple-enum', enum: RECEIPT_STATUSES, default: 'delivered' })
  status!: ReceiptStatus;

  @Column({ name: 'event_timestamp', type: 'datetime', precision: 3 })
  eventTimestamp!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
