import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { dateTimeColumn, engineOf } from '../src/database/column-types';

/**
 * A queued send may have no deadline: a campaign's job is sent whenever its session is back
 * (the campaign pauses meanwhile), however long the outage or the stop of the gateway lasted.
 */
export class CampaignSendsWithoutDeadline1795200001000 implements MigrationInterface {
  name = 'CampaignSendsWithoutDeadline1795200001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.retype(queryRunner, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // a job without a deadline fails at the next boot of the older code: give it one
    await queryRunner.query(
      `UPDATE whatsapp_send_queue SET deadline_at = enqueued_at WHERE deadline_at IS NULL`,
    );
    await this.retype(queryRunner, false);
  }

  private async retype(queryRunner: QueryRunner, nullable: boolean): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.changeColumn(
      'whatsapp_send_queue',
      'deadline_at',
      new TableColumn(dateTimeColumn(engine, 'deadline_at', { nullable })),
    );
  }
}
