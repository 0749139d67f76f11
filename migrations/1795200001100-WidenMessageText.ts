import { MigrationInterface, QueryRunner } from 'typeorm';
import { modifyMysqlColumn } from '../src/database/migration-helpers';

/**
 * A WhatsApp text may be 65,536 characters, up to four UTF-8 bytes each: more than MySQL's TEXT
 * (65,535 bytes) holds. Such a message could not be stored (a send answered 500 after it went
 * out, and was sent again at the next boot; an inbound one was never acknowledged), so the
 * column becomes MEDIUMTEXT there. SQLite's TEXT has no such limit.
 */
export class WidenMessageText1795200001100 implements MigrationInterface {
  name = 'WidenMessageText1795200001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(queryRunner, 'whatsapp_messages', 'text', 'mediumtext NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(queryRunner, 'whatsapp_messages', 'text', 'text NULL');
  }
}
