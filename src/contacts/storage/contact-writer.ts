import type { EntityManager } from 'typeorm';
import { CONTACT_VIEW_COLUMNS } from '../dto/contact-views';
import {
  batchSize,
  chunks,
  selectByKeys,
  upsertRows,
  type SqlValue,
} from '../../database/bulk-sql';

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
  /** The person's LID when `contactId` is the phone JID: a row stored under it is merged in. */
  lid?: string | null;
  values: Partial<Record<ContactColumn, string | number | boolean | null>>;
}

export interface WriteResult {
  saved: number;
  updated: number;
  failed: { id: string; error: string }[];
}

type Comparable = string | number | null;

/** A session's stored `contacts` rows by contact id (the columns a grab writes), read once. */
export type StoredContacts = Map<string, Record<string, unknown>>;

/** The columns a grab writes: `name` to `profile_picture` of the table. */
const STORED_COLUMNS = CONTACT_VIEW_COLUMNS.slice(
  CONTACT_VIEW_COLUMNS.indexOf('name'),
  CONTACT_VIEW_COLUMNS.indexOf('profile_picture') + 1,
);

/**
 * Every stored row of the session in one read, to compare a grab's rows against without a read
 * per batch (a grab reads it while its groups are still being fetched).
 */
export async function readStoredContacts(
  manager: EntityManager,
  sessionId: string,
): Promise<StoredContacts> {
  const rows = await manager.query<Record<string, unknown>[]>(
    `SELECT contact_id, ${STORED_COLUMNS.join(', ')} FROM contacts WHERE session_id = ?`,
    [sessionId],
  );
  return new Map(rows.map((row) => [String(row.contact_id), row]));
}

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
  prefetched?: StoredContacts,
): Promise<WriteResult> {
  const result: WriteResult = { saved: 0, updated: 0, failed: [] };
  let image = prefetched;
  let empty: boolean;
  let lids: number;
  if (image) {
    empty = image.size === 0;
    lids = [...image.keys()].filter((id) => id.endsWith('@lid')).length;
  } else {
    const [counted] = await manager.query<
      { stored: number | string; lids: number | string | null }[]
    >(
      "SELECT COUNT(*) AS stored, SUM(CASE WHEN contact_id LIKE '%@lid' THEN 1 ELSE 0 END) AS lids FROM contacts WHERE session_id = ?",
      [sessionId],
    );
    empty = Number(counted.stored) === 0;
    lids = Number(counted.lids ?? 0);
  }
  // A first grab (nothing stored) needs no comparison, and no LID rows means nothing to merge
  const merged = lids > 0 ? await mergeLidRows(manager, sessionId, writes) : undefined;
  const rekeyed = merged?.renamed ?? new Set<string>();
  if (merged?.touched) {
    // Rows were renamed or removed since the prefetch: compare against what is stored now
    image = undefined;
  }
  const bySignature = new Map<string, ContactWrite[]>();
  for (const write of writes) {
    const signature = Object.keys(write.values).sort().join(',');
    const group = bySignature.get(signature);
    if (group) {
      group.push(write);
    } else {
      bySignature.set(signature, [write]);
    }
  }
  let done = 0;
  for (const [signature, group] of bySignature) {
    const columns = signature ? (signature.split(',') as ContactColumn[]) : [];
    const allColumns = ['session_id', 'contact_id', ...columns, 'grabbed_at'];
    for (const batch of chunks(group, batchSize(allColumns.length))) {
      const stored: StoredContacts =
        image ??
        new Map(
          empty
            ? []
            : (
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
          rekeyed.has(write.contactId) ||
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
      const isFresh = new Set(fresh);
      try {
        await upsert(pending);
        result.saved += fresh.length;
        result.updated += changed.length;
      } catch {
        for (const write of pending) {
          try {
            await upsert([write]);
            if (isFresh.has(write)) {
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

/**
 * Rows stored under a LID (when the phone number was unknown) become the row of the phone JID
 * once it is known: renamed when there is none yet, removed when there is. Memberships follow.
 * Returns the phone JIDs whose row was renamed (reported as updated), and whether any row moved.
 */
async function mergeLidRows(
  manager: EntityManager,
  sessionId: string,
  writes: ContactWrite[],
): Promise<{ renamed: Set<string>; touched: boolean }> {
  const byLid = new Map(
    writes
      .filter((write) => write.lid && write.lid !== write.contactId)
      .map((write) => [write.lid as string, write.contactId]),
  );
  const renamed = new Set<string>();
  if (byLid.size === 0) {
    return { renamed, touched: false };
  }
  const lidRows = await selectByKeys<{ contact_id: string }>(
    manager,
    'contacts',
    ['contact_id'],
    sessionId,
    'contact_id',
    [...byLid.keys()],
  );
  if (lidRows.length === 0) {
    return { renamed, touched: false };
  }
  const targets = lidRows.map((row) => byLid.get(row.contact_id) as string);
  const taken = new Set(
    (
      await selectByKeys<{ contact_id: string }>(
        manager,
        'contacts',
        ['contact_id'],
        sessionId,
        'contact_id',
        targets,
      )
    ).map((row) => row.contact_id),
  );
  for (const { contact_id: lid } of lidRows) {
    const jid = byLid.get(lid) as string;
    if (taken.has(jid)) {
      await manager.query('DELETE FROM contacts WHERE session_id = ? AND contact_id = ?', [
        sessionId,
        lid,
      ]);
    } else {
      await manager.query(
        'UPDATE contacts SET contact_id = ? WHERE session_id = ? AND contact_id = ?',
        [jid, sessionId, lid],
      );
      renamed.add(jid);
    }
    // A membership under the phone JID wins over the same one under the LID
    await manager.query(
      'DELETE FROM group_participants WHERE session_id = ? AND contact_id = ? AND group_id IN (SELECT group_id FROM (SELECT group_id FROM group_participants WHERE session_id = ? AND contact_id = ?) AS known)',
      [sessionId, lid, sessionId, jid],
    );
    await manager.query(
      'UPDATE group_participants SET contact_id = ? WHERE session_id = ? AND contact_id = ?',
      [jid, sessionId, lid],
    );
  }
  return { renamed, touched: true };
}
