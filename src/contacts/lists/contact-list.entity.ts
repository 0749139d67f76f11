import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/** A named, saved list of chats of one session: a campaign audience kept for reuse. */
@Entity('contact_lists')
@Unique('uq_contact_lists_name', ['sessionId', 'name'])
export class ContactListEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}

/** One member of a saved list: a number (digits) or a group/LID JID, as campaigns address them. */
@Entity('contact_list_members')
@Unique('uq_contact_list_members_address', ['listId', 'address'])
export class ContactListMemberEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'list_id', type: 'bigint' })
  listId!: string;

  @Column({ type: 'varchar', length: 255 })
  address!: string;

  /** The stored contact's name when the member came from a contacts filter */
  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
