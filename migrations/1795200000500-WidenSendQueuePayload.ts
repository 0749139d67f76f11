import { MigrationInterface, QueryRunner } from 'typeorm';
import { engineOf } from '../src/database/column-types';

/**
 * Queued media sends carry their file (base64) in `payload`: MEDIUMTEXT's 16 MiB would cap
 * MEDIA_MAX_BYTES at about 12 MiB on MySQL, so the column becomes LONGTEXT there.
 */
export class WidenSendQueuePayload1795200000500 implements MigrationInterface {
  name = 'WidenSendQueuePayload1795200000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.retype(queryRunner, 'longtext');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.retype(queryRunner, 'mediumtext');
  }

  private async retype(queryRunner: QueryRunner, type: string): Promise<void> {
    // SQLite's TEXT has no such limit: nothing to do
    if (engineOf(queryRunner.connection.options.type) !== 'mysql') {
      return;
    }
    await queryRunner.query(
      `ALTER TABLE \`whatsapp_send_queue\` MODIFY \`payload\` ${type} NOT NULL`,
    );
  }
}
