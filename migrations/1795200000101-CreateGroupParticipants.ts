import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/**
 * Group memberships found by grabs: `contacts` holds one row per (session, contact), so a person
 * in several groups keeps every membership here.
 */
export class CreateGroupParticipants1795200000101 implements MigrationInterface {
  name = 'CreateGroupParticipants1795200000101';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'group_participants',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'group_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'contact_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'phone_number', type: 'varchar', length: '32', isNullable: true },
          { name: 'is_admin', type: 'boolean', isNullable: false, default: 0 },
          { name: 'is_super_admin', type: 'boolean', isNullable: false, default: 0 },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [
          {
            name: 'uq_group_participants',
            columnNames: ['session_id', 'group_id', 'contact_id'],
          },
        ],
        indices: [
          { name: 'idx_group_participants_contact', columnNames: ['session_id', 'contact_id'] },
        ],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'group_participants');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('group_participants');
  }
}
