import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Mutex } from 'async-mutex';
import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import type { DatabaseConfig } from '../config/app-config';
import { entities } from './entities';

/** TypeORM options for the configured engine. Migrations run explicitly in openDataSource. */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (db.type === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      host: db.host,
      port: db.port,
      username: db.user,
      password: db.password,
      database: db.name,
      charset: 'utf8mb4_unicode_ci',
      // Dates travel as UTC; the session time zone is pinned to UTC too (see pinUtcSessions)
      timezone: 'Z',
      poolSize: 10,
      connectTimeout: 10_000,
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.sqlitePath,
    enableWAL: true,
    prepareDatabase: (sqlite: { pragma: (statement: string) => unknown }) => {
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('synchronous = NORMAL');
    },
  };
}

interface MysqlPoolConnection {
  query(sql: string): unknown;
}
interface MysqlPool {
  on(event: 'acquire', listener: (connection: MysqlPoolConnection) => void): void;
}

/**
 * Makes every pooled MySQL connection run in UTC, so TIMESTAMP columns and CURRENT_TIMESTAMP
 * defaults agree with the UTC dates the driver sends, whatever the server's time zone.
 * The SET is queued before the first command of each connection.
 */
function pinUtcSessions(dataSource: DataSource): void {
  const pool = (dataSource.driver as unknown as { pool?: MysqlPool }).pool;
  if (!pool) {
    return;
  }
  const pinned = new WeakSet<MysqlPoolConnection>();
  pool.on('acquire', (connection) => {
    if (!pinned.has(connection)) {
      pinned.add(connection);
      connection.query("SET time_zone = '+00:00'");
    }
  });
}

/**
 * SQLite has one connection: two transactions at once would interleave on it (TypeORM then
 * fails with "Transaction is not started yet" or commits the other's writes). Transactions
 * run one at a time there; MySQL's pool gives each its own connection.
 */
function serializeSqliteTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const mutex = new Mutex();
  (manager as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (
    ...args: unknown[]
  ) => mutex.runExclusive(() => transaction(...args));
}

/** Opens the database (creating the SQLite folder if needed) and brings the schema up to date. */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type === 'better-sqlite3' && options.database !== ':memory:') {
    mkdirSync(dirname(options.database), { recursive: true });
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    if (options.type === 'mysql') {
      pinUtcSessions(dataSource);
    } else {
      serializeSqliteTransactions(dataSource);
    }
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
