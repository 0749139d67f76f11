import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Whether a session should be running: set by start, cleared by stop and logout. Boot restores
 * the sessions that have it and are paired.
 */
export class AddSessionAutoStart1795200000003 implements MigrationInterface {
  name = 'AddSessionAutoStart1795200000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'whatsapp_sessions',
      new TableColumn({ name: 'auto_start', type: 'boolean', isNullable: false, default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('whatsapp_sessions', 'auto_start');
  }
}
