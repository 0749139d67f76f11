import type { EntityManager } from 'typeorm';
import type { Membership } from '../grab/grab-rows';
import { chunks, deleteByKeys, selectByKeys, upsertRows } from './bulk-sql';

/**
 * Makes `group_participants` of `groupIds` exactly `memberships`: upserts the current members
 * and removes those no longer listed.
 */
export async function writeMemberships(
  manager: EntityManager,
  sessionId: string,
  groupIds: string[],
  memberships: Membership[],
): Promise<void> {
  const key = (groupId: string, contactId: string): string => `${groupId} ${contactId}`;
  const stored = new Map(
    (
      await selectByKeys<{
        id: string | number;
        group_id: string;
        contact_id: string;
        phone_number: string | null;
        is_admin: number | boolean;
        is_super_admin: number | boolean;
      }>(
        manager,
        'group_participants',
        ['id', 'group_id', 'contact_id', 'phone_number', 'is_admin', 'is_super_admin'],
        sessionId,
        'group_id',
        groupIds,
      )
    ).map((row) => [key(row.group_id, row.contact_id), row]),
  );
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
