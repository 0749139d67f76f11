import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Scoped API keys (digests only) and the audit trail. */
export class CreateApiKeysAndAudit1795200000400 implements MigrationInterface {
  name = 'CreateApiKeysAndAudit1795200000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          idColumn(engine),
          { name: 'name', type: 'varchar', length: '100', isNullable: false },
          { name: 'prefix', type: 'varchar', length: '16', isNullable: false },
          { name: 'digest', type: 'varchar', length: '64', isNullable: false },
          { name: 'sessions', type: 'text', isNullable: false },
          { name: 'permissions', type: 'text', isNullable: false },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'last_used_at', { nullable: true }),
          dateTimeColumn(engine, 'revoked_at', { nullable: true }),
        ],
        indices: [{ name: 'uq_api_keys_digest', columnNames: ['digest'], isUnique: true }],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'api_keys');
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          idColumn(engine),
          dateTimeColumn(engine, 'at', { defaultNow: true }),
          { name: 'key_id', type: 'varchar', length: '40', isNullable: true },
          { name: 'key_name', type: 'varchar', length: '100', isNullable: true },
          { name: 'action', type: 'varchar', length: '64', isNullable: false },
          { name: 'session_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'target', type: 'varchar', length: '255', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '16', isNullable: false },
          { name: 'status_code', type: 'int', isNullable: true },
          { name: 'client_ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          { name: 'idx_audit_events_at', columnNames: ['at'] },
          { name: 'idx_audit_events_session', columnNames: ['session_id', 'at'] },
        ],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'audit_events');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
    await queryRunner.dropTable('api_keys');
  }
}
