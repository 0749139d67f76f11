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
    memberships.map((m) => [
      sessionId,
      m.groupId,
      m.contactId,
      m.phoneNumber,
      m.isAdmin,
      m.isSuperAdmin,
      now,
    ]),
  );
  const current = new Set(memberships.map((m) => `${m.groupId} ${m.contactId}`));
  const stored = await selectByKeys<{ id: string | number; group_id: string; contact_id: string }>(
    manager,
    'group_participants',
    ['id', 'group_id', 'contact_id'],
    sessionId,
    'group_id',
    groupIds,
  );
  const gone = stored
    .filter((row) => !current.has(`${row.group_id} ${row.contact_id}`))
    .map((row) => String(row.id));
  for (const batch of chunks(gone, 1000)) {
    await deleteByKeys(manager, 'group_participants', sessionId, 'id', batch);
  }
}
