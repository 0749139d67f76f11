import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Where a session's events (or, for the global target, every session's) are delivered. */
@Entity('webhook_targets')
@Index('idx_webhook_targets_session_id', ['sessionId'])
export class WebhookTargetEntity {
  /** A UUID, or `global` for the target configured by WEBHOOK_URL. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The session whose events it gets; null for the global target (all sessions). */
  @Column({ name: 'session_id', type: 'varchar', length: 100, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** Standard Webhooks signing secret (`whsec_<base64>`); never returned after creation. */
  @Column({ type: 'varchar', length: 255 })
  secret!: string;

  /** 003 event types, or `["*"]`. */
  @Column({ type: 'simple-json' })
  events!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'paused_at', type: 'datetime', precision: 3, nullable: true })
  pausedAt!: Date | null;

  @Column({ name: 'pause_reason', type: 'varchar', length: 500, nullable: true })
  pauseReason!: string | null;

  @Column({ name: 'consecutive_failures', type: 'int', default: 0 })
  consecutiveFailures!: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
