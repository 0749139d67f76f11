import type { ContactEntity, ContactStatus, ContactType } from '../contact.entity';

/** A stored `contacts` row with every column (seed 000, "Ambil Kontak dari Database"). */
export interface StoredContactView {
  id: number;
  session_id: string;
  contact_id: string;
  name: string | null;
  phone_number: string | null;
  type: ContactType | null;
  group_id: string | null;
  group_name: string | null;
  group_description: string | null;
  group_participants_count: number | null;
  is_admin: boolean;
  profile_picture: string | null;
  status: ContactStatus | null;
  grabbed_at: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export const CONTACT_VIEW_COLUMNS: (keyof StoredContactView)[] = [
  'id',
  'session_id',
  'contact_id',
  'name',
  'phone_number',
  'type',
  'group_id',
  'group_name',
  'group_description',
  'group_participants_count',
  'is_admin',
  'profile_picture',
  'status',
  'grabbed_at',
  'created_at',
  'updated_at',
];

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toStoredContactView(row: ContactEntity): StoredContactView {
  return {
    id: Number(row.id),
    session_id: row.sessionId,
    contact_id: row.contactId,
    name: row.name,
    phone_number: row.phoneNumber,
    type: row.type,
    group_id: row.groupId,
    group_name: row.groupName,
    group_description: row.groupDescription,
    group_participants_count: row.groupParticipantsCount,
    is_admin: Boolean(row.isAdmin),
    profile_picture: row.profilePicture,
    status: row.status,
    grabbed_at: iso(row.grabbedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
