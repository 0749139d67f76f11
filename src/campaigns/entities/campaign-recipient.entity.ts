import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const RECIPIENT_STATES = [
  'pending',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** How far a recipient got: a state only moves to a higher rank (read never becomes sent). */
export const RECIPIENT_RANK: Record<RecipientState, number> = {
  pending: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  skipped: 5,
};

/**
 * One recipient of a campaign, unique per normalized number (or group JID). Claimed (`queued`,
 * with the message id) in the transaction that writes its send-queue job.
 */
@Entity('campaign_recipients')
@Unique('uq_campaign_recipients_address', ['campaignId', 'address'])
@Index('idx_campaign_recipients_state', ['campaignId', 'state', 'id'])
@Index('idx_campaign_recipients_message', ['messageId'])
export class CampaignRecipientEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'campaign_id', type: 'bigint' })
  campaignId!: string;

  /** Digits of a phone number, or a group JID. */
  @Column({ type: 'varchar', length: 255 })
  address!: string;

  /** The chat it is sent to, once the number was checked on WhatsApp. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  jid!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  /** Template variables of this recipient (CSV columns, list fields). */
  @Column({ type: 'simple-json', nullable: true })
  variables!: Record<string, string> | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state!: string;

  /** Why it failed or was skipped (`not_on_whatsapp`, `opted_out`, WhatsApp's reason). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  reason!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 128, nullable: true })
  messageId!: string | null;

  @Column({ name: 'queued_at', type: 'datetime', precision: 3, nullable: true })
  queuedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3, nullable: true })
  updatedAt!: Date | null;
}
