import { Mutex } from 'async-mutex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
 * SQLite has one connection: two transactions open at once fail ("cannot start a transaction
 * within a transaction"). Transactions started from the data source's manager (also
 * `dataSource.transaction` and every repository's `manager.transaction`) queue up instead.
 * Code inside a transaction must use the manager it is given, never start another one.
 */
function serializeSqliteTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const mutex = new Mutex();
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) =>
    mutex.runExclusive(() => original(...args));
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
