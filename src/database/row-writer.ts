import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Rows per statement: well under both drivers' bound parameter limits for our widest rows. */
const ROWS_PER_STATEMENT = 500;

/** What an insert does when a row collides with a unique key. */
export interface OnConflict {
  /** The properties of the unique key (SQLite names them; MySQL uses whichever key collides). */
  keys: string[];
  /** The properties the colliding row takes from the new one. */
  update: string[];
}

/**
 * Multi-row INSERT (optionally an upsert) as one plain parameterized statement per 500 rows,
 * for the hot write paths (inbound messages, Signal keys), where TypeORM's query builder costs
 * more CPU than the database does. Values go through the driver exactly as the query builder
 * sends them (column transformers, simple-json, booleans, dates); creation and update dates the
 * rows leave out are set to now, as their column defaults would. Nothing is read back.
 */
export async function insertRows<T extends ObjectLiteral>(
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
  const valueOf = (column: ColumnMetadata, row: Partial<T>): unknown => {
    const value: unknown = column.getEntityValue(row);
    if (value === undefined) {
      return column.isCreateDate || column.isUpdateDate
        ? driver.preparePersistentValue(now, column)
        : null;
    }
    return driver.preparePersistentValue(value, column);
  };
  const names = columns.map((column) => driver.escape(column.databaseName));
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  let conflict = '';
  if (onConflict) {
    const byProperty = (property: string): string => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) {
        throw new Error(`${metadata.name} has no column for ${property}`);
      }
      return driver.escape(column.databaseName);
    };
    const updated = onConflict.update.map(byProperty);
    conflict =
      driver.options.type === 'mysql' || driver.options.type === 'mariadb'
        ? ` ON DUPLICATE KEY UPDATE ${updated.map((name) => `${name} = VALUES(${name})`).join(', ')}`
        : ` ON CONFLICT (${onConflict.keys.map(byProperty).join(', ')}) DO UPDATE SET ${updated
            .map((name) => `${name} = excluded.${name}`)
            .join(', ')}`;
  }
  const table = driver.escape(metadata.tableName);
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    const parameters = part.flatMap((row) => columns.map((column) => valueOf(column, row)));
    await manager.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES ${part.map(() => placeholders).join(', ')}${conflict}`,
      parameters,
    );
  }
}
