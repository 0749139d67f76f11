import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/**
 * Baileys auth state (creds and every Signal key) per session, so a session survives restarts
 * and can move between processes with nothing but the database.
 */
export class CreateWaAuthKeys1795200000002 implements MigrationInterface {
  name = 'CreateWaAuthKeys1795200000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'wa_auth_keys',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'category', type: 'varchar', length: '64', isNullable: false },
          { name: 'key_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'value', type: engine === 'mysql' ? 'longtext' : 'text', isNullable: false },
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [
          { name: 'uq_wa_auth_keys_key', columnNames: ['session_id', 'category', 'key_id'] },
        ],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'wa_auth_keys');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('wa_auth_keys');
  }
}
