import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/** One membership found by a grab: a contact in a group, with its own admin flags. */
@Entity('group_participants')
@Unique('uq_group_participants', ['sessionId', 'groupId', 'contactId'])
@Index('idx_group_participants_contact', ['sessionId', 'contactId'])
export class GroupParticipantEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'group_id', type: 'varchar', length: 255 })
  groupId!: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 255 })
  contactId!: string;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin!: boolean;

  @Column({ name: 'is_super_admin', type: 'boolean', default: false })
  isSuperAdmin!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
