import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A scoped API key. Only the SHA-256 digest of the secret is stored. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The first characters of the secret, to recognise a key in lists and logs. */
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Index('uq_api_keys_digest', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  digest!: string;

  /** JSON array of session ids, or ["*"]. */
  @Column({ type: 'text' })
  sessions!: string;

  /** JSON array of permissions. */
  @Column({ type: 'text' })
  permissions!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
