import { MigrationInterface, QueryRunner } from 'typeorm';
import { engineOf } from '../src/database/column-types';

/**
 * A WhatsApp text may be 65,536 characters, up to four UTF-8 bytes each: more than MySQL's TEXT
 * (65,535 bytes) holds. Such a message could not be stored (a send answered 500 after it went
 * out, and was sent again at the next boot; an inbound one was never acknowledged), so the
 * column becomes MEDIUMTEXT there. SQLite's TEXT has no such limit.
 */
export class WidenMessageText1795200001100 implements MigrationInterface {
  name = 'WidenMessageText1795200001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.retype(queryRunner, 'mediumtext');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.retype(queryRunner, 'text');
  }

  private async retype(queryRunner: QueryRunner, type: string): Promise<void> {
    if (engineOf(queryRunner.connection.options.type) !== 'mysql') {
      return;
    }
    await queryRunner.query(`ALTER TABLE \`whatsapp_messages\` MODIFY \`text\` ${type} NULL`);
  }
}
