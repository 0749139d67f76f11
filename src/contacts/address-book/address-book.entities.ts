import { Column, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { WaGroupParticipant } from '../../whatsapp/address-book/address-book-events';

/** A person in a session's address book, keyed by phone JID when known, else by LID. */
@Entity('address_book_contacts')
@Unique('uq_address_book_contacts_jid', ['sessionId', 'jid'])
@Index('idx_address_book_contacts_lid', ['sessionId', 'lid'])
export class AddressBookContactEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 255 })
  jid!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  lid!: string | null;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  notify!: string | null;

  @Column({ name: 'verified_name', type: 'varchar', length: 255, nullable: true })
  verifiedName!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}

@Entity('address_book_lid_mappings')
@Unique('uq_address_book_lid_mappings', ['sessionId', 'lid'])
export class AddressBookLidMappingEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 255 })
  lid!: string;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;
}

@Entity('address_book_groups')
@Unique('uq_address_book_groups', ['sessionId', 'groupId'])
export class AddressBookGroupEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100 })
  sessionId!: string;

  @Column({ name: 'group_id', type: 'varchar', length: 255 })
  groupId!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'int', default: 0 })
  size!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  owner!: string | null;

  @Column({ type: 'simple-json' })
  participants!: WaGroupParticipant[];

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
