import { MigrationInterface, QueryRunner } from 'typeorm';
import { modifyMysqlColumn } from '../src/database/migration-helpers';

/**
 * Queued media sends carry their file (base64) in `payload`: MEDIUMTEXT's 16 MiB would cap
 * MEDIA_MAX_BYTES at about 12 MiB on MySQL, so the column becomes LONGTEXT there (SQLite's TEXT
 * has no such limit).
 */
export class WidenSendQueuePayload1795200000500 implements MigrationInterface {
  name = 'WidenSendQueuePayload1795200000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(queryRunner, 'whatsapp_send_queue', 'payload', 'longtext NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(queryRunner, 'whatsapp_send_queue', 'payload', 'mediumtext NOT NULL');
  }
}
