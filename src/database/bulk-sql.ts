import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { engineOf, type Engine } from './column-types';

export type SqlValue = string | number | boolean | Date | null;

/** Placeholders per statement: under SQLite's 32766 and MySQL's 65535. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS = 1_000;

export function engineOfManager(manager: EntityManager): Engine {
  return engineOf(manager.connection.options.type);
}

/** The rows one multi-row statement carries for `columns` columns. */
export function batchSize(columns: number): number {
  return Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns)));
}

export function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) {
    result.push(items.slice(index, index + size));
  }
  return result;
}

/** A value as the driver stores it: booleans as 0/1, and SQLite dates as TypeORM writes them (UTC text). */
export function toParameter(engine: Engine, value: SqlValue): string | number | Date | null {
  if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  if (value instanceof Date && engine === 'sqlite') {
    return DateUtils.mixedDateToUtcDatetimeString(value) as string;
  }
  return value;
}

/** `?, ?, ?`: one placeholder per value. */
export const placeholders = (values: readonly unknown[]): string =>
  values.map(() => '?').join(', ');

const quote = (engine: Engine, name: string): string =>
  engine === 'mysql' ? `\`${name}\`` : `"${name}"`;

/**
 * One multi-row `INSERT ... ON DUPLICATE KEY UPDATE` (MySQL) or `INSERT ... ON CONFLICT DO
 * UPDATE` (SQLite) of `rows` (values in `columns` order), updating `update` on a `conflict` hit.
 */
export async function upsertRows(
  manager: EntityManager,
  table: string,
  columns: string[],
  conflict: string[],
  update: string[],
  rows: SqlValue[][],
): Promise<void> {
  const engine = engineOfManager(manager);
  for (const batch of chunks(rows, batchSize(columns.length))) {
    const tuple = `(${placeholders(columns)})`;
    const names = columns.map((column) => quote(engine, column)).join(', ');
    let sql = `INSERT INTO ${quote(engine, table)} (${names}) VALUES ${batch.map(() => tuple).join(', ')}`;
    if (engine === 'mysql') {
      const set = update.length > 0 ? update : [conflict[0]];
      sql += ` ON DUPLICATE KEY UPDATE ${set.map((column) => `${quote(engine, column)} = VALUES(${quote(engine, column)})`).join(', ')}`;
    } else {
      const target = conflict.map((column) => quote(engine, column)).join(', ');
      sql +=
        update.length > 0
          ? ` ON CONFLICT (${target}) DO UPDATE SET ${update.map((column) => `${quote(engine, column)} = excluded.${quote(engine, column)}`).join(', ')}`
          : ` ON CONFLICT (${target}) DO NOTHING`;
    }
    await manager.query(
      sql,
      batch.flat().map((value) => toParameter(engine, value)),
    );
  }
}

/**
 * Multi-row `INSERT` of `rows` (values in `columns` order), a statement per batch; `ignore`:
 * rows that hit a unique key are skipped (`INSERT IGNORE` / `INSERT OR IGNORE`). The same
 * statement TypeORM's query builder writes, without its per-parameter bookkeeping (which grows
 * with the square of the rows).
 */
export async function insertRows(
  manager: EntityManager,
  table: string,
  columns: string[],
  rows: SqlValue[][],
  options: { ignore?: boolean } = {},
): Promise<void> {
  const engine = engineOfManager(manager);
  const verb = !options.ignore
    ? 'INSERT'
    : engine === 'mysql'
      ? 'INSERT IGNORE'
      : 'INSERT OR IGNORE';
  const tuple = `(${placeholders(columns)})`;
  const names = columns.map((column) => quote(engine, column)).join(', ');
  for (const batch of chunks(rows, batchSize(columns.length))) {
    await manager.query(
      `${verb} INTO ${quote(engine, table)} (${names}) VALUES ${batch.map(() => tuple).join(', ')}`,
      batch.flat().map((value) => toParameter(engine, value)),
    );
  }
}

/** `SELECT columns FROM table WHERE session_id = ? AND key IN (...)`, batched. */
export async function selectByKeys<T>(
  manager: EntityManager,
  table: string,
  columns: string[],
  sessionId: string,
  keyColumn: string,
  keys: string[],
): Promise<T[]> {
  const engine = engineOfManager(manager);
  const result: T[] = [];
  const names = columns.map((column) => quote(engine, column)).join(', ');
  for (const batch of chunks(keys, MAX_ROWS)) {
    const rows = await manager.query<T[]>(
      `SELECT ${names} FROM ${quote(engine, table)} WHERE ${quote(engine, 'session_id')} = ? AND ${quote(engine, keyColumn)} IN (${placeholders(batch)})`,
      [sessionId, ...batch],
    );
    result.push(...rows);
  }
  return result;
}

/** `DELETE FROM table WHERE session_id = ? AND key IN (...)`, batched. */
export async function deleteByKeys(
  manager: EntityManager,
  table: string,
  sessionId: string,
  keyColumn: string,
  keys: string[],
): Promise<void> {
  const engine = engineOfManager(manager);
  for (const batch of chunks(keys, MAX_ROWS)) {
    await manager.query(
      `DELETE FROM ${quote(engine, table)} WHERE ${quote(engine, 'session_id')} = ? AND ${quote(engine, keyColumn)} IN (${placeholders(batch)})`,
      [sessionId, ...batch],
    );
  }
}

/** What `insertEntities` does when a row collides with a unique key. */
export interface OnConflict {
  /** The properties of the unique key (SQLite names them; MySQL uses whichever key collides). */
  keys: string[];
  /** The properties the colliding row takes from the new one. */
  update: string[];
}

/**
 * `insertRows` (or `upsertRows`) of entities given as objects: the columns come from the
 * entity's metadata and the values go through the driver as TypeORM's query builder sends them
 * (column transformers, simple-json, booleans, dates); creation and update dates the rows leave
 * out are set to now, as their column defaults would be. For the hot write paths (inbound
 * messages, Signal keys). Nothing is read back.
 */
export async function insertEntities<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: Partial<T>[],
  onConflict?: OnConflict,
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const { driver } = manager.connection;
  const metadata = manager.connection.getMetadata(target);
  const columns = metadata.columns.filter(
    (column) =>
      column.isCreateDate ||
      column.isUpdateDate ||
      rows.some((row) => column.getEntityValue(row) !== undefined),
  );
  const now = new Date();
  const values = rows.map((row) =>
    columns.map((column): SqlValue => {
      const value: unknown = column.getEntityValue(row);
      if (value === undefined && !column.isCreateDate && !column.isUpdateDate) {
        return null;
      }
      return driver.preparePersistentValue(value === undefined ? now : value, column) as SqlValue;
    }),
  );
  const names = columns.map((column) => column.databaseName);
  if (!onConflict) {
    await insertRows(manager, metadata.tableName, names, values);
    return;
  }
  const nameOf = (property: string): string => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) {
      throw new Error(`${metadata.name} has no column for ${property}`);
    }
    return column.databaseName;
  };
  await upsertRows(
    manager,
    metadata.tableName,
    names,
    onConflict.keys.map(nameOf),
    onConflict.update.map(nameOf),
    values,
  );
}
