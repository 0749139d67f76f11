import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A number that asked not to get campaigns from this session (by API or by a STOP reply); a
 * person whose number is unknown replied from a LID: `phone` holds the LID JID.
 */
@Entity('campaign_opt_outs')
@Unique('uq_campaign_opt_outs_phone', ['sessionId', 'phone'])
export class OptOutEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 32 })
  phone!: string;

  /** `api` or `reply` */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
