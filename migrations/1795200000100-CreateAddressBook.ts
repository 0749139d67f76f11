import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/**
 * The engine's address book per session (contacts, LID-to-phone mappings, groups), fed by
 * history sync and live events, so what arrives once at linking survives restarts.
 */
export class CreateAddressBook1795200000100 implements MigrationInterface {
  name = 'CreateAddressBook1795200000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    const session = { name: 'session_id', type: 'varchar', length: '100', isNullable: false };
    const jid = (name: string, isNullable = false) => ({
      name,
      type: 'varchar',
      length: '255',
      isNullable,
    });
    const text = (name: string, length = '255') => ({
      name,
      type: 'varchar',
      length,
      isNullable: true,
    });
    await queryRunner.createTable(
      new Table({
        name: 'address_book_contacts',
        columns: [
          idColumn(engine),
          session,
          jid('jid'),
          jid('lid', true),
          text('phone_number', '32'),
          text('name'),
          text('notify'),
          text('verified_name'),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [{ name: 'uq_address_book_contacts_jid', columnNames: ['session_id', 'jid'] }],
        indices: [{ name: 'idx_address_book_contacts_lid', columnNames: ['session_id', 'lid'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'address_book_lid_mappings',
        columns: [idColumn(engine), session, jid('lid'), text('phone_number', '32')],
        uniques: [{ name: 'uq_address_book_lid_mappings', columnNames: ['session_id', 'lid'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'address_book_groups',
        columns: [
          idColumn(engine),
          session,
          jid('group_id'),
          text('subject'),
          { name: 'description', type: 'text', isNullable: true },
          { name: 'size', type: 'int', isNullable: false, default: 0 },
          jid('owner', true),
          // JSON list of WaGroupParticipant: read and written whole with the group
          {
            name: 'participants',
            type: engine === 'mysql' ? 'longtext' : 'text',
            isNullable: false,
          },
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [{ name: 'uq_address_book_groups', columnNames: ['session_id', 'group_id'] }],
      }),
    );
    for (const table of [
      'address_book_contacts',
      'address_book_lid_mappings',
      'address_book_groups',
    ]) {
      await ensureUtf8mb4(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('address_book_groups');
    await queryRunner.dropTable('address_book_lid_mappings');
    await queryRunner.dropTable('address_book_contacts');
  }
}
