import type { QueryRunner } from 'typeorm';
import { engineOf } from './column-types';

/**
 * Contact and group names carry emoji, so MySQL tables must be utf8mb4. When the database's
 * default character set already is utf8mb4 the table is left exactly as created.
 */
export async function ensureUtf8mb4(queryRunner: QueryRunner, table: string): Promise<void> {
  if (engineOf(queryRunner.connection.options.type) !== 'mysql') {
    return;
  }
  const rows = (await queryRunner.query(
    'SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
  )) as { charset: string }[];
  if (rows[0]?.charset !== 'utf8mb4') {
    await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4`);
  }
}

/**
 * MySQL only: `ALTER TABLE … MODIFY` one column to `definition` (type, NULL-ness, default). A
 * plain MODIFY keeps the column's place and charset. SQLite does not enforce the lengths these
 * migrations change, and rebuilding a table there would drop its triggers: nothing to do.
 */
export async function modifyMysqlColumn(
  queryRunner: QueryRunner,
  table: string,
  column: string,
  definition: string,
): Promise<void> {
  if (engineOf(queryRunner.connection.options.type) !== 'mysql') {
    return;
  }
  await queryRunner.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` ${definition}`);
}
