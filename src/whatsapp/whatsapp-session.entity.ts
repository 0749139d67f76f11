import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

export const SESSION_STATES = [
  'connecting',
  'qr_waiting',
  'connected',
  'disconnected',
  'logged_out',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** One WhatsApp number linked (or being linked) to the gateway. */
@Entity('whatsapp_sessions')
@Unique('uq_whatsapp_sessions_session_id', ['sessionId'])
@Index('idx_whatsapp_sessions_state', ['state'])
export class WhatsappSessionEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  /** Display name (`session_name` in seed 000). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({
    name: 'session_state',
    type: 'simple-enum',
    enum: SESSION_STATES,
    default: 'disconnected',
  })
  state!: SessionState;

  /** The raw QR string while one is pending. */
  @Column({ name: 'qr_code', type: 'text', nullable: true })
  qrCode!: string | null;

  @Column({ name: 'qr_expired_at', type: 'datetime', precision: 3, nullable: true })
  qrExpiresAt!: Date | null;

  @Column({ name: 'connected_at', type: 'datetime', precision: 3, nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'disconnected_at', type: 'datetime', precision: 3, nullable: true })
  disconnectedAt!: Date | null;

  @Column({ name: 'disconnect_reason', type: 'varchar', length: 255, nullable: true })
  disconnectReason!: string | null;

  /** The linked account's number, digits only. */
  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  @Column({ name: 'push_name', type: 'varchar', length: 255, nullable: true })
  pushName!: string | null;

  /** The linked device's JID, e.g. `6281234567890:12@s.whatsapp.net`. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  jid!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  lid!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  platform!: string | null;

  /** Whether the session should be running; boot restores paired sessions that have it. */
  @Column({ name: 'auto_start', type: 'boolean', default: false })
  autoStart!: boolean;

  /** Per-session CONTACTS_AUTO_SYNC override; null follows the global setting. */
  @Column({ name: 'contacts_auto_sync', type: 'boolean', nullable: true })
  contactsAutoSync!: boolean | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
