import { MigrationInterface, QueryRunner } from 'typeorm';
import { engineOf } from '../src/database/column-types';

/**
 * WhatsApp's profile picture URLs are longer than 255 characters (signed CDN URLs): the one
 * divergence from seed 001's DDL is `profile_picture VARCHAR(1024)`.
 */
export class WidenContactProfilePicture1795200000102 implements MigrationInterface {
  name = 'WidenContactProfilePicture1795200000102';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.resize(queryRunner, '1024');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.resize(queryRunner, '255');
  }

  private async resize(queryRunner: QueryRunner, length: string): Promise<void> {
    // SQLite does not enforce VARCHAR lengths, and rebuilding the table there would drop the
    // updated_at trigger: nothing to do
    if (engineOf(queryRunner.connection.options.type) !== 'mysql') {
      return;
    }
    // A plain MODIFY keeps the column's place, charset and NULL default
    await queryRunner.query(
      `ALTER TABLE \`contacts\` MODIFY \`profile_picture\` varchar(${length}) NULL DEFAULT NULL`,
    );
  }
}
