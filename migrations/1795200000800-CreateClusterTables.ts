import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

/** Session and job leases with fencing tokens, and the processes of a cluster (issue 18). */
export class CreateClusterTables1795200000800 implements MigrationInterface {
  name = 'CreateClusterTables1795200000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    await queryRunner.createTable(
      new Table({
        name: 'cluster_leases',
        columns: [
          { name: 'name', type: 'varchar', length: '120', isPrimary: true },
          { name: 'node_id', type: 'varchar', length: '64', isNullable: false },
          { name: 'token', type: 'bigint', isNullable: false },
          dateTimeColumn(engine, 'acquired_at'),
          dateTimeColumn(engine, 'expires_at'),
        ],
        indices: [{ name: 'idx_cluster_leases_node', columnNames: ['node_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cluster_nodes',
        columns: [
          { name: 'node_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'address', type: 'varchar', length: '255', isNullable: false },
          dateTimeColumn(engine, 'started_at'),
          dateTimeColumn(engine, 'heartbeat_at'),
          { name: 'draining', type: 'boolean', isNullable: false, default: false },
          { name: 'sessions', type: 'int', isNullable: false, default: 0 },
        ],
      }),
    );
    await ensureUtf8mb4(queryRunner, 'cluster_leases');
    await ensureUtf8mb4(queryRunner, 'cluster_nodes');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cluster_nodes');
    await queryRunner.dropTable('cluster_leases');
  }
}
