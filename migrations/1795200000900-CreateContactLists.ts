import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Saved contact lists of a session and their members (a campaign recipient source, issue 19). */
export class CreateContactLists1795200000900 implements MigrationInterface {
  name = 'CreateContactLists1795200000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'contact_lists',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'name', type: 'varchar', length: '255', isNullable: false },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [{ name: 'uq_contact_lists_name', columnNames: ['session_id', 'name'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'contact_list_members',
        columns: [
          idColumn(engine),
          {
            name: 'list_id',
            type: engine === 'mysql' ? 'bigint' : 'integer',
            isNullable: false,
          },
          { name: 'address', type: 'varchar', length: '255', isNullable: false },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
        ],
        // (list, address) also serves a list's members in order and the stored contacts filter
        uniques: [{ name: 'uq_contact_list_members_address', columnNames: ['list_id', 'address'] }],
      }),
    );
    for (const table of ['contact_lists', 'contact_list_members']) {
      await ensureUtf8mb4(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contact_list_members');
    await queryRunner.dropTable('contact_lists');
  }
}
