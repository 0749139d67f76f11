import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, enumColumn, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** One row per WhatsApp session: its state, pending QR and the linked account. */
export class CreateWhatsappSessions1795200000001 implements MigrationInterface {
  name = 'CreateWhatsappSessions1795200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'whatsapp_sessions',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          {
            ...enumColumn(
              engine,
              'session_state',
              ['connecting', 'qr_waiting', 'connected', 'disconnected', 'logged_out'],
              { default: 'disconnected' },
            ),
            isNullable: false,
          },
          { name: 'qr_code', type: 'text', isNullable: true },
          dateTimeColumn(engine, 'qr_expired_at', { nullable: true }),
          dateTimeColumn(engine, 'connected_at', { nullable: true }),
          dateTimeColumn(engine, 'disconnected_at', { nullable: true }),
          { name: 'disconnect_reason', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone_number', type: 'varchar', length: '32', isNullable: true },
          { name: 'push_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'jid', type: 'varchar', length: '255', isNullable: true },
          { name: 'lid', type: 'varchar', length: '255', isNullable: true },
          { name: 'platform', type: 'varchar', length: '64', isNullable: true },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [{ name: 'uq_whatsapp_sessions_session_id', columnNames: ['session_id'] }],
        indices: [{ name: 'idx_whatsapp_sessions_state', columnNames: ['session_state'] }],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'whatsapp_sessions');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('whatsapp_sessions');
  }
}
