import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An ingested event of a type the gateway does not model, kept as received (with a retention). */
@Entity('webhook_events_raw')
@Index('idx_webhook_events_raw_received_at', ['receivedAt'])
@Index('idx_webhook_events_raw_session', ['sessionId', 'eventType'])
export class WebhookRawEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;
}
