import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

export const CONTACT_TYPES = ['individual', 'group'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];
export const CONTACT_STATUSES = ['active', 'inactive', 'blocked'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** A grabbed contact or group (seed 001's `contacts` table). `contactId` is the JID. */
@Entity('contacts')
@Unique('unique_session_contact', ['sessionId', 'contactId'])
@Index('idx_session_id', ['sessionId'])
@Index('idx_contact_id', ['contactId'])
@Index('idx_type', ['type'])
@Index('idx_group_id', ['groupId'])
@Index('idx_phone_number', ['phoneNumber'])
@Index('idx_status', ['status'])
export class ContactEntity {
  /** BIGINT: the drivers return it as a string to keep full precision. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 255 })
  sessionId!: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 255 })
  contactId!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({ name: 'phone_number', type: 'varchar', length: 255, nullable: true })
  phoneNumber!: string | null;

  @Column({ type: 'simple-enum', enum: CONTACT_TYPES, nullable: true, default: 'individual' })
  type!: ContactType | null;

  @Column({ name: 'group_id', type: 'varchar', length: 255, nullable: true })
  groupId!: string | null;

  @Column({ name: 'group_name', type: 'varchar', length: 255, nullable: true })
  groupName!: string | null;

  @Column({ name: 'group_description', type: 'text', nullable: true })
  groupDescription!: string | null;

  @Column({ name: 'group_participants_count', type: 'int', nullable: true })
  groupParticipantsCount!: number | null;

  @Column({ name: 'is_admin', type: 'boolean', nullable: true, default: false })
  isAdmin!: boolean | null;

  /** VARCHAR(1024), not 001's 255: WhatsApp's picture URLs are longer (migration 1795200000102). */
  @Column({ name: 'profile_picture', type: 'varchar', length: 1024, nullable: true })
  profilePicture!: string | null;

  @Column({ type: 'simple-enum', enum: CONTACT_STATUSES, nullable: true, default: 'active' })
  status!: ContactStatus | null;

  @Column({ name: 'grabbed_at', type: 'datetime', nullable: true })
  grabbedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', nullable: true })
  createdAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', nullable: true })
  updatedAt!: Date | null;
}
