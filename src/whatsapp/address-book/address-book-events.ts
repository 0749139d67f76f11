/**
 * The engine's address book model: what `src/whatsapp/` makes of Baileys' contact, LID-mapping
 * and group events. Persisted by the contacts module, which owns the tables.
 */

/** A person as the engine learnt it. `jid` is a phone JID (`digits@s.whatsapp.net`) or a LID. */
export interface WaContact {
  jid: string;
  /** The LID, when known (for a phone JID) or when `jid` is one. */
  lid: string | null;
  /** Digits only, when the phone number is known (never invented from a LID). */
  phoneNumber: string | null;
  /** The name saved in the phone's address book (undefined: not told by this event). */
  name?: string | null;
  /** The push name the person chose. */
  notify?: string | null;
  verifiedName?: string | null;
}

export interface WaLidMapping {
  lid: string;
  /** Digits only. */
  phoneNumber: string;
}

export interface WaGroupParticipant {
  /** Phone JID when known, else the LID. */
  jid: string;
  lid: string | null;
  phoneNumber: string | null;
  isAdmin: boolean;
  isSuperAdmin: boolean;
}

export interface WaGroup {
  id: string;
  subject: string | null;
  description: string | null;
  size: number;
  owner: string | null;
  participants: WaGroupParticipant[];
}

export type GroupPatch = Partial<Pick<WaGroup, 'subject' | 'description'>> & { id: string };

export type ParticipantsAction = 'add' | 'remove' | 'promote' | 'demote' | 'modify';

/** Names of the engine's address book events on the internal bus. */
export const AddressBookEvents = {
  /** `ContactsChangedEvent` */
  ContactsChanged: 'address_book.contacts_changed',
  /** `LidMappingsEvent` */
  LidMappings: 'address_book.lid_mappings',
  /** `GroupsChangedEvent`: full group metadata (a fetch, a new group). */
  GroupsChanged: 'address_book.groups_changed',
  /** `GroupsPatchedEvent`: subject or description changed. */
  GroupsPatched: 'address_book.groups_patched',
  /** `GroupParticipantsEvent` */
  GroupParticipants: 'address_book.group_participants',
} as const;

export interface ContactsChangedEvent {
  sessionId: string;
  contacts: WaContact[];
  source: 'history' | 'upsert' | 'update' | 'message';
}

export interface LidMappingsEvent {
  sessionId: string;
  mappings: WaLidMapping[];
}

export interface GroupsChangedEvent {
  sessionId: string;
  groups: WaGroup[];
  /** True when `groups` is every group the account is in (a full fetch). */
  complete: boolean;
}

export interface GroupsPatchedEvent {
  sessionId: string;
  patches: GroupPatch[];
}

export interface GroupParticipantsEvent {
  sessionId: string;
  groupId: string;
  action: ParticipantsAction;
  participants: WaGroupParticipant[];
}
