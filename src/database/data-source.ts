import { Mutex } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
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
      ...(db.socketPath ? { socketPath: db.socketPath } : {}),
      username: db.user,
      password: db.password,
      database: db.name,
      charset: 'utf8mb4_unicode_ci',
      // Dates travel as UTC; the session time zone is pinned to UTC too (see pinUtcSessions)
      timezone: 'Z',
      poolSize: 10,
      connectTimeout: 10_000,
      // no stack captured on every query (mysql2's default): a measurable share of the CPU of
      // each statement; a failing query's error still names the statement and the server's error
      trace: false,
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
 * TypeORM's better-sqlite3 driver runs every query on one shared query runner, so two
 * transactions started by concurrent async flows nest into each other's BEGIN/SAVEPOINT and
 * break ("Transaction is not started yet", rollbacks of the other flow's writes). On SQLite,
 * top-level transactions therefore run one at a time; a transaction started from inside one (by
 * the same async flow) runs directly, so nesting cannot deadlock.
 */
function serializeSqliteTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const lock = new Mutex();
  const inside = new AsyncLocalStorage<boolean>();
  (manager as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (
    ...args: unknown[]
  ) =>
    inside.getStore()
      ? transaction(...args)
      : lock.runExclusive(async () => {
          try {
            return await inside.run(true, () => transaction(...args));
          } finally {
            // off between transactions: an enabled AsyncLocalStorage runs a hook for every
            // promise the process creates (on Node 20); run() turns it on again
            inside.disable();
          }
        });
}

/** How long a process waits for another one's migrations before it gives up. */
const MIGRATION_LOCK_TIMEOUT_S = 300;

/**
 * Runs the migrations under a MySQL named lock: the processes of a cluster often start at once
 * on a new database, and without it each ran the same migrations (all but one failed on "table
 * already exists"). The others wait, then find nothing left to run.
 */
async function migrateExclusively(dataSource: DataSource, database: string): Promise<void> {
  const lock = `wa-gateway:migrations:${database}`.slice(0, 64);
  const runner = dataSource.createQueryRunner();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [
      lock,
      MIGRATION_LOCK_TIMEOUT_S,
    ])) as { got: number | string | null }[];
    if (Number(row?.got) !== 1) {
      throw new Error(
        `another process has been migrating database ${database} for ${MIGRATION_LOCK_TIMEOUT_S} s (MySQL lock "${lock}"); is it stuck?`,
      );
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    await runner.release();
  }
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
    if (options.type === 'mysql') {
      await migrateExclusively(dataSource, String(options.database));
    } else {
      await dataSource.runMigrations({ transaction: 'each' });
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
