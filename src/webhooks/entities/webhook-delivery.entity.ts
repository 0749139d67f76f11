import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The outbox: one row per event per matching target, written in the transaction that stores
 * the change it reports. The id orders deliveries of one session and target.
 */
@Entity('webhook_deliveries')
@Index('idx_webhook_deliveries_queue', ['status', 'targetId', 'sessionId', 'id'])
@Index('idx_webhook_deliveries_target', ['targetId', 'sessionId', 'id'])
@Index('idx_webhook_deliveries_status_updated', ['status', 'updatedAt'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** The Standard Webhooks `webhook-id`: the same on every attempt and replay. */
  @Column({ name: 'webhook_id', type: 'varchar', length: 64 })
  webhookId!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 36 })
  targetId!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  /** The 003 type (`Message`, `ReadReceipt`, ...). */
  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType!: string;

  /** The exact body sent (the 003 envelope as JSON). */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'simple-enum', enum: DELIVERY_STATUSES, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  @Column({ name: 'lease_owner', type: 'varchar', length: 100, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'datetime', precision: 3, nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_duration_ms', type: 'int', nullable: true })
  lastDurationMs!: number | null;

  @Column({ name: 'last_attempt_at', type: 'datetime', precision: 3, nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'datetime', precision: 3, nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
