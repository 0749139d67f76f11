/** True when `error` is a unique-key violation on SQLite or MySQL/MariaDB. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const codes = [code, driverError?.code];
  return codes.some(
    (value) =>
      value === 'ER_DUP_ENTRY' ||
      value === 'SQLITE_CONSTRAINT_UNIQUE' ||
      value === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  );
}
