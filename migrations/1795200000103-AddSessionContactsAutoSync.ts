import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Per-session override of CONTACTS_AUTO_SYNC: null follows the global setting. */
export class AddSessionContactsAutoSync1795200000103 implements MigrationInterface {
  name = 'AddSessionContactsAutoSync1795200000103';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'whatsapp_sessions',
      new TableColumn({ name: 'contacts_auto_sync', type: 'boolean', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('whatsapp_sessions', 'contacts_auto_sync');
  }
}
