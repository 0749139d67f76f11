import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { ContactEntity } from '../../src/contacts/contact.entity';
import { createTestDatabase, mysqlAdmin, TestDatabase, testTier } from '../support/test-database';

/** The DDL documented in seed 001, verbatim. */
const DOCUMENTED_CONTACTS_DDL = `CREATE TABLE contacts (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    session_id VARCHAR(255) NOT NULL,
    contact_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NULL,
    phone_number VARCHAR(255) NULL,
    type ENUM('individual', 'group') DEFAULT 'individual',
    group_id VARCHAR(255) NULL,
    group_name VARCHAR(255) NULL,
    group_description TEXT NULL,
    group_participants_count INT NULL,
    is_admin BOOLEAN DEFAULT FALSE,
    profile_picture VARCHAR(255) NULL,
    status ENUM('active', 'inactive', 'blocked') DEFAULT 'active',
    grabbed_at TIMESTAMP NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    INDEX idx_session_id (session_id),
    INDEX idx_contact_id (contact_id),
    INDEX idx_type (type),
    INDEX idx_group_id (group_id),
    INDEX idx_phone_number (phone_number),
    INDEX idx_status (status),
    UNIQUE KEY unique_session_contact (session_id, contact_id)
) DEFAULT CHARSET=utf8mb4`;

/** SHOW CREATE TABLE without the table options line, which depends on server defaults. */
function columnsAndKeys(createTable: string): string {
  return createTable
    .split('\n')
    .filter((line) => !line.startsWith(')'))
    .join('\n');
}

describe(`migrations (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('creates contacts and whatsapp_sessions and records every migration in order', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      expect(await runner.hasTable('contacts')).toBe(true);
      expect(await runner.hasTable('whatsapp_sessions')).toBe(true);
    } finally {
      await runner.release();
    }
    const applied = await dataSource.query<{ name: string }[]>(
      'SELECT name FROM migrations ORDER BY id',
    );
    expect(applied.map((row) => row.name)).toEqual(migrations.map((migration) => migration.name));
    expect(applied[0].name).toBe('CreateContacts1795200000000');
  });

  it('is idempotent: opening the database again runs nothing new', async () => {
    const again = await openDataSource(dataSourceOptions(db.config));
    try {
      expect(await again.showMigrations()).toBe(false);
    } finally {
      await again.destroy();
    }
  });

  it('applies the documented defaults and the unique (session_id, contact_id) key', async () => {
    const contacts = dataSource.getRepository(ContactEntity);
    await dataSource.query(
      `INSERT INTO contacts (session_id, contact_id) VALUES ('s1', 'a@s.whatsapp.net')`,
    );
    const stored = await contacts.findOneByOrFail({ sessionId: 's1' });
    expect(stored).toMatchObject({
      type: 'individual',
      status: 'active',
      isAdmin: false,
      name: null,
      grabbedAt: null,
    });
    expect(stored.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(stored.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
    await expect(
      dataSource.query(
        `INSERT INTO contacts (session_id, contact_id) VALUES ('s1', 'a@s.whatsapp.net')`,
      ),
    ).rejects.toThrow();
    await dataSource.query(
      `INSERT INTO contacts (session_id, contact_id) VALUES ('s2', 'a@s.whatsapp.net')`,
    );
    expect(await contacts.count()).toBe(2);
  });

  it('rejects values outside the documented ENUMs', async () => {
    await expect(
      dataSource.query(
        `INSERT INTO contacts (session_id, contact_id, type) VALUES ('s3', 'x@s.whatsapp.net', 'robot')`,
      ),
    ).rejects.toThrow();
  });

  if (testTier() === 'mysql') {
    it('migrates a new database once when several processes start on it at the same time', async () => {
      const fresh = await createTestDatabase();
      const opened: DataSource[] = [];
      try {
        const results = await Promise.allSettled(
          [1, 2, 3].map(async () => {
            const source = await openDataSource(dataSourceOptions(fresh.config));
            opened.push(source);
          }),
        );
        expect(results.map((result) => result.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'fulfilled',
        ]);
        const applied = await opened[0].query<{ name: string }[]>(
          'SELECT name FROM migrations ORDER BY id',
        );
        expect(applied.map((row) => row.name)).toEqual(
          migrations.map((migration) => migration.name),
        );
      } finally {
        await Promise.all(opened.map((source) => source.destroy()));
        await fresh.drop();
      }
    });

    it("connects through DB_SOCKET_PATH, the server's own Unix socket, instead of TCP", async () => {
      const [{ socket }] = await mysqlAdmin<{ socket: string }[]>('SELECT @@socket AS socket');
      if (!existsSync(socket)) {
        process.stdout.write(
          `skipped: the MySQL server's socket ${socket} is not on this machine\n`,
        );
        return;
      }
      const source = await openDataSource(
        dataSourceOptions({ ...db.config, host: 'no-such-host.invalid', socketPath: socket }),
      );
      try {
        // a Unix socket connection has no TCP peer: the server sees it as localhost
        const [row] = await source.query<{ host: string }[]>(
          'SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()',
        );
        expect(row.host).toBe('localhost');
      } finally {
        await source.destroy();
      }
    });

    it('runs every pooled MySQL connection in UTC, whatever the server time zone', async () => {
      const runners = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
      try {
        for (const runner of runners) {
          const [row] = (await runner.query('SELECT @@session.time_zone AS tz')) as {
            tz: string;
          }[];
          expect(row.tz).toBe('+00:00');
        }
      } finally {
        await Promise.all(runners.map((runner) => runner.release()));
      }
    });

    it('SHOW CREATE TABLE contacts matches the documented DDL column for column and key for key', async () => {
      const name = db.config.name;
      const probe = `${name}_ddl`;
      await mysqlAdmin(`CREATE DATABASE \`${probe}\` CHARACTER SET utf8mb4`);
      try {
        await mysqlAdmin(
          `${DOCUMENTED_CONTACTS_DDL.replace('CREATE TABLE contacts', `CREATE TABLE \`${probe}\`.contacts`)}`,
        );
        const [documented] = await mysqlAdmin<{ 'Create Table': string }[]>(
          `SHOW CREATE TABLE \`${probe}\`.contacts`,
        );
        const [migrated] = await mysqlAdmin<{ 'Create Table': string }[]>(
          `SHOW CREATE TABLE \`${name}\`.contacts`,
        );
        // The one documented divergence: picture URLs need VARCHAR(1024) (migration 1795200000102)
        const widened = columnsAndKeys(documented['Create Table']).replace(
          '`profile_picture` varchar(255)',
          '`profile_picture` varchar(1024)',
        );
        expect(widened).not.toBe(columnsAndKeys(documented['Create Table']));
        expect(columnsAndKeys(migrated['Create Table'])).toBe(widened);
        expect(migrated['Create Table']).toMatch(/CHARSET=utf8mb4/);
      } finally {
        await mysqlAdmin(`DROP DATABASE IF EXISTS \`${probe}\``);
      }
    });
  }
});
