import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A message waiting in a session's send queue. Kept until it is sent or failed, so a restart
 * resumes it (or fails it with a reason once it is past its deadline, if it has one), never
 * drops it.
 */
@Entity('whatsapp_send_queue')
@Index('idx_whatsapp_send_queue_session', ['sessionId', 'enqueuedAt'])
export class QueuedSendEntity {
  /** The WhatsApp message id it will be sent with. */
  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 128 })
  messageId!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'chat_jid', type: 'varchar', length: 255 })
  chatJid!: string;

  /** The composed message (type, content, quoted) as JSON. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'enqueued_at', type: 'datetime', precision: 3 })
  enqueuedAt!: Date;

  /** When it fails if not sent by then; none for a campaign's job (the campaign waits). */
  @Column({ name: 'deadline_at', type: 'datetime', precision: 3, nullable: true })
  deadlineAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
