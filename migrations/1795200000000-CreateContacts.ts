import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { engineOf, enumColumn, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/**
 * The `contacts` table exactly as documented by the contact grabber (seed 001): same
 * columns, types, nullability, defaults, six indexes and the (session_id, contact_id) key.
 */
export class CreateContacts1795200000000 implements MigrationInterface {
  name = 'CreateContacts1795200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    const timestamp = engine === 'mysql' ? 'timestamp' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'contacts',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'contact_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone_number', type: 'varchar', length: '255', isNullable: true },
          enumColumn(engine, 'type', ['individual', 'group'], { default: 'individual' }),
          { name: 'group_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'group_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'group_description', type: 'text', isNullable: true },
          { name: 'group_participants_count', type: 'int', isNullable: true },
          { name: 'is_admin', type: 'boolean', isNullable: true, default: 0 },
          { name: 'profile_picture', type: 'varchar', length: '255', isNullable: true },
          enumColumn(engine, 'status', ['active', 'inactive', 'blocked'], { default: 'active' }),
          { name: 'grabbed_at', type: timestamp, isNullable: true },
          { name: 'created_at', type: timestamp, isNullable: true, default: 'CURRENT_TIMESTAMP' },
          {
            name: 'updated_at',
            type: timestamp,
            isNullable: true,
            default: 'CURRENT_TIMESTAMP',
            onUpdate: engine === 'mysql' ? 'CURRENT_TIMESTAMP' : undefined,
          },
        ],
        uniques: [{ name: 'unique_session_contact', columnNames: ['session_id', 'contact_id'] }],
        indices: [
          { name: 'idx_session_id', columnNames: ['session_id'] },
          { name: 'idx_contact_id', columnNames: ['contact_id'] },
          { name: 'idx_type', columnNames: ['type'] },
          { name: 'idx_group_id', columnNames: ['group_id'] },
          { name: 'idx_phone_number', columnNames: ['phone_number'] },
          { name: 'idx_status', columnNames: ['status'] },
        ],
      }),
    );
    if (engine === 'sqlite') {
      // SQLite has no ON UPDATE clause; a trigger keeps updated_at honest for raw SQL too
      await queryRunner.query(
        `CREATE TRIGGER contacts_updated_at AFTER UPDATE ON contacts FOR EACH ROW
         WHEN NEW.updated_at IS OLD.updated_at
         BEGIN UPDATE contacts SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END`,
      );
    }
    await ensureUtf8mb4(queryRunner, 'contacts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contacts');
  }
}
