import type { TableColumnOptions } from 'typeorm';

/**
 * Column definitions shared by migrations, so one migration runs on SQLite and MySQL.
 * The entities use the portable TypeORM types; these pick the engine-specific DDL.
 */
export type Engine = 'sqlite' | 'mysql';

export function engineOf(driverType: string): Engine {
  return driverType === 'mysql' || driverType === 'mariadb' ? 'mysql' : 'sqlite';
}

/** Auto-increment primary key: SQLite needs INTEGER, MySQL gets BIGINT. */
export function idColumn(engine: Engine, name = 'id'): TableColumnOptions {
  return {
    name,
    type: engine === 'mysql' ? 'bigint' : 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  };
}

/** A millisecond-precision UTC date-time (DATETIME(3) on MySQL: no 2038 limit). */
export function dateTimeColumn(
  engine: Engine,
  name: string,
  options: { nullable?: boolean; defaultNow?: boolean; onUpdateNow?: boolean } = {},
): TableColumnOptions {
  const now =
    engine === 'mysql' ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
  return {
    name,
    type: 'datetime',
    precision: engine === 'mysql' ? 3 : undefined,
    isNullable: options.nullable ?? false,
    default: options.defaultNow ? now : undefined,
    onUpdate: options.onUpdateNow && engine === 'mysql' ? 'CURRENT_TIMESTAMP(3)' : undefined,
  };
}

export function enumColumn(
  engine: Engine,
  name: string,
  values: readonly string[],
  options: { nullable?: boolean; default?: string } = {},
): TableColumnOptions {
  return {
    name,
    type: engine === 'mysql' ? 'enum' : 'simple-enum',
    enum: [...values],
    isNullable: options.nullable ?? true,
    default: options.default === undefined ? undefined : `'${options.default}'`,
  };
}
