import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const CAMPAIGN_STATES = [
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** What every recipient gets: the send route's fields, with templates in text and caption. */
export interface CampaignMessage {
  type: 'text' | 'image' | 'document' | 'video' | 'audio';
  message?: string;
  media?: string;
  caption?: string;
  fileName?: string;
  mimetype?: string;
  ptt?: boolean;
}

/** Per-campaign pacing, on top of the session's send queue. */
export interface CampaignPacing {
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Sends per day (in `timeZone`), null: no cap. */
  dailyCap: number | null;
  /** `HH:MM` local times; no sends from start to end (may wrap midnight). */
  quietHours: { start: string; end: string } | null;
  timeZone: string;
}

/** A blast campaign: one templated message to many recipients of a session (issue 19). */
@Entity('campaigns')
@Index('idx_campaigns_session', ['sessionId', 'id'])
@Index('idx_campaigns_state', ['state'])
export class CampaignEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'simple-enum', enum: CAMPAIGN_STATES, default: 'scheduled' })
  state!: CampaignState;

  /** Why it is paused: `user`, `session_offline`, ... */
  @Column({ name: 'pause_reason', type: 'varchar', length: 255, nullable: true })
  pauseReason!: string | null;

  @Column({ type: 'simple-json' })
  message!: CampaignMessage;

  /** Values of variables that are empty or missing for a recipient. */
  @Column({ type: 'simple-json' })
  defaults!: Record<string, string>;

  @Column({ type: 'simple-json' })
  pacing!: CampaignPacing;

  @Column({ name: 'total_recipients', type: 'int', default: 0 })
  totalRecipients!: number;

  @Column({ name: 'scheduled_at', type: 'datetime', precision: 3, nullable: true })
  scheduledAt!: Date | null;

  @Column({ name: 'started_at', type: 'datetime', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
