import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, enumColumn, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Blast campaigns, their recipients and the per-session opt-out list (issue 19). */
export class CreateCampaigns1795200000600 implements MigrationInterface {
  name = 'CreateCampaigns1795200000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    const bigint = engine === 'mysql' ? 'bigint' : 'integer';
    const longText = engine === 'mysql' ? 'longtext' : 'text';
    await queryRunner.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'name', type: 'varchar', length: '255', isNullable: false },
          enumColumn(
            engine,
            'state',
            ['scheduled', 'running', 'paused', 'completed', 'cancelled'],
            { nullable: false, default: 'scheduled' },
          ),
          { name: 'pause_reason', type: 'varchar', length: '255', isNullable: true },
          // the message keeps base64 media as given: as large as a queued send's payload
          { name: 'message', type: longText, isNullable: false },
          { name: 'defaults', type: 'text', isNullable: false },
          { name: 'pacing', type: 'text', isNullable: false },
          { name: 'total_recipients', type: 'int', isNullable: false, default: 0 },
          dateTimeColumn(engine, 'scheduled_at', { nullable: true }),
          dateTimeColumn(engine, 'started_at', { nullable: true }),
          dateTimeColumn(engine, 'finished_at', { nullable: true }),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        indices: [
          { name: 'idx_campaigns_session', columnNames: ['session_id', 'id'] },
          { name: 'idx_campaigns_state', columnNames: ['state'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_recipients',
        columns: [
          idColumn(engine),
          { name: 'campaign_id', type: bigint, isNullable: false },
          { name: 'address', type: 'varchar', length: '255', isNullable: false },
          { name: 'jid', type: 'varchar', length: '255', isNullable: true },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'variables', type: 'text', isNullable: true },
          { name: 'state', type: 'varchar', length: '16', isNullable: false, default: "'pending'" },
          { name: 'reason', type: 'varchar', length: '255', isNullable: true },
          { name: 'message_id', type: 'varchar', length: '128', isNullable: true },
          dateTimeColumn(engine, 'queued_at', { nullable: true }),
          dateTimeColumn(engine, 'updated_at', { nullable: true }),
        ],
        uniques: [
          { name: 'uq_campaign_recipients_address', columnNames: ['campaign_id', 'address'] },
        ],
        indices: [
          { name: 'idx_campaign_recipients_state', columnNames: ['campaign_id', 'state', 'id'] },
          { name: 'idx_campaign_recipients_message', columnNames: ['message_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_opt_outs',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'phone', type: 'varchar', length: '32', isNullable: false },
          { name: 'source', type: 'varchar', length: '16', isNullable: false },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
        ],
        uniques: [{ name: 'uq_campaign_opt_outs_phone', columnNames: ['session_id', 'phone'] }],
      }),
    );
    for (const table of ['campaigns', 'campaign_recipients', 'campaign_opt_outs']) {
      await ensureUtf8mb4(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaign_opt_outs');
    await queryRunner.dropTable('campaign_recipients');
    await queryRunner.dropTable('campaigns');
  }
}
