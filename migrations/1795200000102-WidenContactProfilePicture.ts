import { MigrationInterface, QueryRunner } from 'typeorm';
import { modifyMysqlColumn } from '../src/database/migration-helpers';

/**
 * WhatsApp's profile picture URLs are longer than 255 characters (signed CDN URLs): the one
 * divergence from seed 001's DDL is `profile_picture VARCHAR(1024)`.
 */
export class WidenContactProfilePicture1795200000102 implements MigrationInterface {
  name = 'WidenContactProfilePicture1795200000102';

  async up(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(
      queryRunner,
      'contacts',
      'profile_picture',
      'varchar(1024) NULL DEFAULT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await modifyMysqlColumn(
      queryRunner,
      'contacts',
      'profile_picture',
      'varchar(255) NULL DEFAULT NULL',
    );
  }
}
