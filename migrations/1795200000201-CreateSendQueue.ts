import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Queued outbound messages, so nothing queued is lost on shutdown (issue 8 pacing). */
export class CreateSendQueue1795200000201 implements MigrationInterface {
  name = 'CreateSendQueue1795200000201';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'whatsapp_send_queue',
        columns: [
          { name: 'message_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'chat_jid', type: 'varchar', length: '255', isNullable: false },
          { name: 'payload', type: engine === 'mysql' ? 'mediumtext' : 'text', isNullable: false },
          dateTimeColumn(engine, 'enqueued_at'),
          dateTimeColumn(engine, 'deadline_at'),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
        ],
        indices: [
          { name: 'idx_whatsapp_send_queue_session', columnNames: ['session_id', 'enqueued_at'] },
        ],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'whatsapp_send_queue');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('whatsapp_send_queue');
  }
}
