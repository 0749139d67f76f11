/**
 * Error codes with which MySQL/MariaDB or SQLite refuse a row for what it holds (a value longer
 * than its column, a string the column's character set cannot hold, a number out of range, a
 * null where none may be): writing the same row again fails the same way, unlike a lost
 * connection, a lock wait or a deadlock.
 */
const ROW_REFUSED = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_CHECK',
]);

/** The driver's error code of `error` (a TypeORM QueryFailedError or the driver's own). */
function codesOf(error: unknown): unknown[] {
  const { code, driverError } = (error ?? {}) as {
    code?: unknown;
    driverError?: { code?: unknown };
  };
  return [code, driverError?.code];
}

/** The code with which the database refused a row (see ROW_REFUSED), or undefined. */
export function rowRefusal(error: unknown): string | undefined {
  return codesOf(error).find(
    (code): code is string => typeof code === 'string' && ROW_REFUSED.has(code),
  );
}

/** True when `error` is a unique-key violation on SQLite or MySQL/MariaDB. */
export function isUniqueViolation(error: unknown): boolean {
  return codesOf(error).some(
    (code) =>
      code === 'ER_DUP_ENTRY' ||
      code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  );
}
