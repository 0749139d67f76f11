import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DatabaseConfig } from '../../src/config/app-config';

/** Which engine this Jest project runs on (set by test/jest/tier-*.js). */
export function testTier(): 'sqlite' | 'mysql' {
  return process.env.TEST_DB_TIER === 'mysql' ? 'mysql' : 'sqlite';
}

export interface TestDatabase {
  config: DatabaseConfig;
  /** Environment variables that point the app at this database. */
  env: Record<string, string>;
  dataDir: string;
  drop(): Promise<void>;
}

function mysqlServer() {
  return {
    host: process.env.TEST_DB_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_DB_PORT ?? 3306),
    socketPath: process.env.TEST_DB_SOCKET_PATH || undefined,
    user: process.env.TEST_DB_USER ?? 'root',
    password: process.env.TEST_DB_PASSWORD ?? '',
    prefix: process.env.TEST_DB_NAME ?? 'wa_gateway_test',
  };
}

/** Runs `sql` on the MySQL test server (no database selected). */
export async function mysqlAdmin<T = unknown>(sql: string): Promise<T> {
  const server = mysqlServer();
  const connection = await createConnection({
    host: server.host,
    port: server.port,
    socketPath: server.socketPath,
    user: server.user,
    password: server.password,
  });
  try {
    const [rows] = await connection.query(sql);
    return rows as T;
  } finally {
    await connection.end();
  }
}

/**
 * A fresh, empty database for one test file on the current tier: a temporary SQLite file,
 * or a uniquely named MySQL database (dropped again by `drop`).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-gateway-test-'));
  if (testTier() === 'sqlite') {
    const config: DatabaseConfig = {
      type: 'sqlite',
      sqlitePath: join(dataDir, 'wa-gateway.sqlite'),
      host: '',
      port: 0,
      user: '',
      password: '',
      name: '',
    };
    return {
      config,
      dataDir,
      env: { DB_TYPE: 'sqlite', DATA_DIR: dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const server = mysqlServer();
  const name = `${server.prefix}_${randomBytes(4).toString('hex')}`;
  await mysqlAdmin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const config: DatabaseConfig = {
    type: 'mysql',
    sqlitePath: join(dataDir, 'unused.sqlite'),
    host: server.host,
    port: server.port,
    socketPath: server.socketPath,
    user: server.user,
    password: server.password,
    name,
  };
  return {
    config,
    dataDir,
    env: {
      DB_TYPE: 'mysql',
      DATA_DIR: dataDir,
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      ...(server.socketPath ? { DB_SOCKET_PATH: server.socketPath } : {}),
      DB_USER: server.user,
      DB_PASSWORD: server.password,
      DB_NAME: name,
    },
    drop: async () => {
      await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
