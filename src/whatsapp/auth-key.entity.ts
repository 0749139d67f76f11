import { Column, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** One piece of a session's Baileys auth state: the creds, or one Signal key. */
@Entity('wa_auth_keys')
@Unique('uq_wa_auth_keys_key', ['sessionId', 'category', 'keyId'])
export class AuthKeyEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  /** `creds`, or a Signal key type (`pre-key`, `session`, `sender-key`, ...). */
  @Column({ type: 'varchar', length: 64 })
  category!: string;

  @Column({ name: 'key_id', type: 'varchar', length: 255 })
  keyId!: string;

  /** JSON with Baileys' BufferJSON encoding. */
  @Column({ type: 'text' })
  value!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
