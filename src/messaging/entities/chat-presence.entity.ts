import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { PRESENCE_STATES } from '../../whatsapp/message-events';
import type { PresenceState } from '../../whatsapp/message-events';

/**
 * The current typing/online state of one participant in one chat (seed 003
 * `WhatsAppChatPresence`): a `composing` carries `expires_at`, and becomes `paused` with
 * `auto_stopped` when nothing else arrives before then.
 */
@Entity('whatsapp_chat_presences')
@Unique('uq_whatsapp_chat_presences_participant', ['sessionId', 'chatJid', 'participantJid'])
@Index('idx_whatsapp_chat_presences_expiry', ['state', 'expiresAt'])
export class ChatPresenceEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'chat_jid', type: 'varchar', length: 255 })
  chatJid!: string;

  @Column({ name: 'participant_jid', type: 'varchar', length: 255 })
  participantJid!: string;

  @Column({ type: 'simple-enum', enum: PRESENCE_STATES, default: 'paused' })
  state!: PresenceState;

  @Column({ name: 'auto_stopped', type: 'boolean', default: false })
  autoStopped!: boolean;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'event_timestamp', type: 'datetime', precision: 3 })
  eventTimestamp!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
