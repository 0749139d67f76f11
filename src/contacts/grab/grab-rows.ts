import { clipTo } from '../../database/column-text';
import type { WaGroup, WaGroupParticipant } from '../../whatsapp/address-book/address-book-events';
import type { KnownPerson } from '../address-book/known-person';
import type { ContactWrite } from '../storage/contact-writer';

/** Seed 000's `groups` item. */
export interface GrabbedGroupView {
  id: string;
  name: string | null;
  desc: string | null;
  participants_count: number;
  is_admin: boolean;
  profile_picture: string | null;
}

/** Seed 000's `contacts` item. */
export interface GrabbedContactView {
  id: string;
  name: string | null;
  phone: string | null;
  pushname: string | null;
  is_admin: boolean;
  profile_picture: string | null;
}

export interface Membership {
  groupId: string;
  contactId: string;
  phoneNumber: string | null;
  isAdmin: boolean;
  isSuperAdmin: boolean;
}

/** Pictures fetched by this grab (absent: not asked, the stored column is left alone). */
export type Pictures = Map<string, string | null> | undefined;

const NAME_LENGTH = 255;
const clip = (value: string | null): string | null => clipTo(value, NAME_LENGTH);

export const displayName = (person: KnownPerson | undefined): string | null =>
  person ? (person.name ?? person.notify ?? person.verifiedName) : null;

export function isMe(
  participant: WaGroupParticipant,
  me: { jid: string | null; lid: string | null },
): boolean {
  return participant.jid === me.jid || (participant.lid !== null && participant.lid === me.lid);
}

export function groupView(group: WaGroup, isAdmin: boolean, pictures: Pictures): GrabbedGroupView {
  return {
    id: group.id,
    name: group.subject,
    desc: group.description,
    participants_count: group.size,
    is_admin: isAdmin,
    profile_picture: pictures?.get(group.id) ?? null,
  };
}

export function contactView(person: KnownPerson, pictures: Pictures): GrabbedContactView {
  return {
    id: person.jid,
    name: displayName(person),
    phone: person.phoneNumber,
    pushname: person.notify,
    is_admin: false,
    profile_picture: pictures?.get(person.jid) ?? null,
  };
}

const withPicture = (write: ContactWrite, pictures: Pictures): ContactWrite => {
  if (pictures?.has(write.contactId)) {
    write.values.profile_picture = pictures.get(write.contactId) ?? null;
  }
  return write;
};

/**
 * The `contacts` rows of a grab, one per contact id: groups (type=group), their participants
 * (individual rows with group_id = the last group, in id order, that lists them, and that group's
 * admin flag) and the address book's people. Each row only sets the columns this grab knows.
 */
export class GrabRows {
  private readonly rows = new Map<string, ContactWrite>();
  readonly memberships: Membership[] = [];

  addGroup(group: WaGroup, isAdmin: boolean, pictures: Pictures): void {
    this.put(
      withPicture(
        {
          contactId: group.id,
          values: {
            name: clip(group.subject),
            type: 'group',
            group_name: clip(group.subject),
            group_description: group.description,
            group_participants_count: group.size,
            is_admin: isAdmin,
          },
        },
        pictures,
      ),
    );
  }

  addParticipant(
    groupId: string,
    participant: WaGroupParticipant,
    id: { id: string; phone: string | null },
    person: KnownPerson | undefined,
  ): void {
    const name = displayName(person);
    this.put({
      contactId: id.id,
      lid: participant.lid,
      values: {
        ...(name ? { name: clip(name) } : {}),
        phone_number: id.phone,
        type: 'individual',
        group_id: groupId,
        is_admin: participant.isAdmin,
      },
    });
    this.memberships.push({
      groupId,
      contactId: id.id,
      phoneNumber: id.phone,
      isAdmin: participant.isAdmin,
      isSuperAdmin: participant.isSuperAdmin,
    });
  }

  addPerson(person: KnownPerson, pictures: Pictures): void {
    this.put(
      withPicture(
        {
          contactId: person.jid,
          lid: person.lid,
          values: {
            name: clip(displayName(person)),
            phone_number: person.phoneNumber,
            type: 'individual',
          },
        },
        pictures,
      ),
    );
  }

  get writes(): ContactWrite[] {
    return [...this.rows.values()];
  }

  /**
   * Merges with the row already planned for this id: later values win, and the LID either knows
   * is kept (a row stored under it is merged in). In place: a grab plans 45,000 of them.
   */
  private put(write: ContactWrite): void {
    const planned = this.rows.get(write.contactId);
    if (!planned) {
      this.rows.set(write.contactId, write);
      return;
    }
    Object.assign(planned.values, write.values);
    const lid = write.lid ?? planned.lid;
    if (lid !== undefined) {
      planned.lid = lid;
    }
  }
}
