import type { EntityManager } from 'typeorm';
import { batchSize, chunks, selectByKeys, upsertRows, type SqlValue } from './bulk-sql';

/** The `contacts` columns a grab writes (the rest keep their defaults). */
export type ContactColumn =
  | 'name'
  | 'phone_number'
  | 'type'
  | 'group_id'
  | 'group_name'
  | 'group_description'
  | 'group_participants_count'
  | 'is_admin'
  | 'profile_picture';

/** One `contacts` row to write: only the columns this grab knows; the others stay as stored. */
export interface ContactWrite {
  contactId: string;
  values: Partial<Record<ContactColumn, string | number | boolean | null>>;
}

export interface WriteResult {
  saved: number;
  updated: number;
  failed: { id: string; error: string }[];
}

type Comparable = string | number | null;

const comparable = (value: unknown): Comparable => {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number(value);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
};

/**
 * Upserts `writes` into `contacts` on (session_id, contact_id) and counts exactly: the stored
 * rows are read first, so a row is "saved" when it is new, "updated" when a written column
 * differs, and not written at all when nothing changed. The counts do not depend on the
 * driver's affected-rows rules (mysql2 sets CLIENT_FOUND_ROWS, so MySQL's affectedRows counts
 * unchanged rows too). Rows are written in multi-row statements, grouped by the columns they set.
 * A statement that fails is retried row by row so one bad row is reported and the rest are kept.
 */
export async function writeContacts(
  manager: EntityManager,
  sessionId: string,
  writes: ContactWrite[],
  grabbedAt: Date,
  onProgress: (done: number) => void = () => undefined,
): Promise<WriteResult> {
  const result: WriteResult = { saved: 0, updated: 0, failed: [] };
  const bySignature = new Map<string, ContactWrite[]>();
  for (const write of writes) {
    const signature = Object.keys(write.values).sort().join(',');
    bySignature.set(signature, [...(bySignature.get(signature) ?? []), write]);
  }
  let done = 0;
  for (const [signature, group] of bySignature) {
    const columns = signature ? (signature.split(',') as ContactColumn[]) : [];
    const allColumns = ['session_id', 'contact_id', ...columns, 'grabbed_at'];
    for (const batch of chunks(group, batchSize(allColumns.length))) {
      const stored = new Map(
        (
          await selectByKeys<Record<string, unknown>>(
            manager,
            'contacts',
            ['contact_id', ...columns],
            sessionId,
            'contact_id',
            batch.map((write) => write.contactId),
          )
        ).map((row) => [String(row.contact_id), row]),
      );
      const fresh: ContactWrite[] = [];
      const changed: ContactWrite[] = [];
      for (const write of batch) {
        const row = stored.get(write.contactId);
        if (!row) {
          fresh.push(write);
        } else if (
          columns.some((column) => comparable(row[column]) !== comparable(write.values[column]))
        ) {
          changed.push(write);
        }
      }
      const toRow = (write: ContactWrite): SqlValue[] => [
        sessionId,
        write.contactId,
        ...columns.map((column) => write.values[column] ?? null),
        grabbedAt,
      ];
      const upsert = (rows: ContactWrite[]) =>
        upsertRows(
          manager,
          'contacts',
          allColumns,
          ['session_id', 'contact_id'],
          [...columns, 'grabbed_at'],
          rows.map(toRow),
        );
      const pending = [...fresh, ...changed];
      try {
        await upsert(pending);
        result.saved += fresh.length;
        result.updated += changed.length;
      } catch {
        for (const write of pending) {
          try {
            await upsert([write]);
            if (fresh.includes(write)) {
              result.saved += 1;
            } else {
              result.updated += 1;
            }
          } catch (error) {
            result.failed.push({
              id: write.contactId,
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
      }
      done += batch.length;
      onProgress(done);
    }
  }
  return result;
}
