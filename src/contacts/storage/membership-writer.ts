import type { EntityManager } from 'typeorm';
import type { Membership } from '../grab/grab-rows';
import { chunks, deleteByKeys, selectByKeys, upsertRows } from '../../database/bulk-sql';

export interface StoredMembership {
  id: string | number;
  group_id: string;
  contact_id: string;
  phone_number: string | null;
  is_admin: number | boolean;
  is_super_admin: number | boolean;
}

const MEMBERSHIP_COLUMNS = [
  'id',
  'group_id',
  'contact_id',
  'phone_number',
  'is_admin',
  'is_super_admin',
];

/** Every stored membership of the session in one read (a grab reads it while fetching groups). */
export function readStoredMemberships(
  manager: EntityManager,
  sessionId: string,
): Promise<StoredMembership[]> {
  return manager.query<StoredMembership[]>(
    `SELECT ${MEMBERSHIP_COLUMNS.join(', ')} FROM group_participants WHERE session_id = ?`,
    [sessionId],
  );
}

/**
 * Makes `group_participants` of `groupIds` exactly `memberships`: upserts the current members
 * and removes those no longer listed. `prefetched`: the session's stored memberships, read
 * earlier under the same session write lock.
 */
export async function writeMemberships(
  manager: EntityManager,
  sessionId: string,
  groupIds: string[],
  memberships: Membership[],
  prefetched?: StoredMembership[],
): Promise<void> {
  const key = (groupId: string, contactId: string): string => `${groupId} ${contactId}`;
  const wanted = new Set(groupIds);
  const rows = prefetched
    ? prefetched.filter((row) => wanted.has(row.group_id))
    : await selectByKeys<StoredMembership>(
        manager,
        'group_participants',
        MEMBERSHIP_COLUMNS,
        sessionId,
        'group_id',
        groupIds,
      );
  const stored = new Map(rows.map((row) => [key(row.group_id, row.contact_id), row]));
  const current = new Set(memberships.map((m) => key(m.groupId, m.contactId)));
  const changed = memberships.filter((m) => {
    const row = stored.get(key(m.groupId, m.contactId));
    return (
      !row ||
      row.phone_number !== m.phoneNumber ||
      Boolean(row.is_admin) !== m.isAdmin ||
      Boolean(row.is_super_admin) !== m.isSuperAdmin
    );
  });
  const now = new Date();
  await upsertRows(
    manager,
    'group_participants',
    [
      'session_id',
      'group_id',
      'contact_id',
      'phone_number',
      'is_admin',
      'is_super_admin',
      'updated_at',
    ],
    ['session_id', 'group_id', 'contact_id'],
    ['phone_number', 'is_admin', 'is_super_admin', 'updated_at'],
    changed.map((m) => [
      sessionId,
      m.groupId,
      m.contactId,
      m.phoneNumber,
      m.isAdmin,
      m.isSuperAdmin,
      now,
    ]),
  );
  const gone = [...stored.entries()]
    .filter(([membership]) => !current.has(membership))
    .map(([, row]) => String(row.id));
  for (const batch of chunks(gone, 1000)) {
    await deleteByKeys(manager, 'group_participants', sessionId, 'id', batch);
  }
}
