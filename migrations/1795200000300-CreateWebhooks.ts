import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, enumColumn, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Webhook targets, the delivery outbox, raw ingested events and ingest receipts (idempotency). */
export class CreateWebhooks1795200000300 implements MigrationInterface {
  name = 'CreateWebhooks1795200000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    // A message's content can exceed MySQL's 64 KB TEXT
    const bigText = engine === 'mysql' ? 'mediumtext' : 'text';
    await queryRunner.createTable(
      new Table({
        name: 'webhook_targets',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'url', type: 'varchar', length: '2048', isNullable: false },
          { name: 'secret', type: 'varchar', length: '255', isNullable: false },
          { name: 'events', type: 'text', isNullable: false },
          { name: 'enabled', type: 'boolean', isNullable: false, default: 1 },
          dateTimeColumn(engine, 'paused_at', { nullable: true }),
          { name: 'pause_reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'consecutive_failures', type: 'int', isNullable: false, default: 0 },
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        indices: [{ name: 'idx_webhook_targets_session_id', columnNames: ['session_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          idColumn(engine),
          { name: 'webhook_id', type: 'varchar', length: '64', isNullable: false },
          { name: 'target_id', type: 'varchar', length: '36', isNullable: false },
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'event_type', type: 'varchar', length: '32', isNullable: false },
          { name: 'payload', type: bigText, isNullable: false },
          {
            ...enumColumn(engine, 'status', ['pending', 'delivered', 'failed'], {
              default: 'pending',
            }),
            isNullable: false,
          },
          { name: 'attempts', type: 'int', isNullable: false, default: 0 },
          dateTimeColumn(engine, 'next_attempt_at'),
          { name: 'lease_owner', type: 'varchar', length: '100', isNullable: true },
          dateTimeColumn(engine, 'lease_expires_at', { nullable: true }),
          { name: 'last_status_code', type: 'int', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          { name: 'last_duration_ms', type: 'int', isNullable: true },
          dateTimeColumn(engine, 'last_attempt_at', { nullable: true }),
          dateTimeColumn(engine, 'delivered_at', { nullable: true }),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true }),
        ],
        indices: [
          {
            name: 'idx_webhook_deliveries_queue',
            columnNames: ['status', 'target_id', 'session_id', 'id'],
          },
          { name: 'idx_webhook_deliveries_target', columnNames: ['target_id', 'session_id', 'id'] },
          { name: 'idx_webhook_deliveries_status_updated', columnNames: ['status', 'updated_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_events_raw',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'event_type', type: 'varchar', length: '64', isNullable: false },
          { name: 'payload', type: bigText, isNullable: false },
          dateTimeColumn(engine, 'received_at', { defaultNow: true }),
        ],
        indices: [
          { name: 'idx_webhook_events_raw_received_at', columnNames: ['received_at'] },
          { name: 'idx_webhook_events_raw_session', columnNames: ['session_id', 'event_type'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_ingest_receipts',
        columns: [
          idColumn(engine),
          { name: 'dedupe_key', type: 'varchar', length: '64', isNullable: false },
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'event_type', type: 'varchar', length: '64', isNullable: false },
          dateTimeColumn(engine, 'received_at', { defaultNow: true }),
        ],
        uniques: [{ name: 'uq_webhook_ingest_receipts_key', columnNames: ['dedupe_key'] }],
        indices: [
          { name: 'idx_webhook_ingest_receipts_received_at', columnNames: ['received_at'] },
        ],
      }),
    );
    for (const table of [
      'webhook_targets',
      'webhook_deliveries',
      'webhook_events_raw',
      'webhook_ingest_receipts',
    ]) {
      await ensureUtf8mb4(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'webhook_ingest_receipts',
      'webhook_events_raw',
      'webhook_deliveries',
      'webhook_targets',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
