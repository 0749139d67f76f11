import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** One ingested event that carries an identity (message id, receipt, timestamp): makes ingest idempotent. */
@Entity('webhook_ingest_receipts')
@Unique('uq_webhook_ingest_receipts_key', ['dedupeKey'])
@Index('idx_webhook_ingest_receipts_received_at', ['receivedAt'])
export class WebhookIngestReceiptEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** SHA-256 (hex) of the session, type and the event's identity. */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 64 })
  dedupeKey!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;
}
