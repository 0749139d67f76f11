import {
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  type Contact,
  type GroupMetadata,
  type GroupParticipant,
} from '@whiskeysockets/baileys';
import type { WaContact, WaGroup, WaGroupParticipant } from '../address-book/address-book-events';

/** `digits@s.whatsapp.net` or `digits@lid` without device; null for anything else (groups, broadcasts, newsletters, bots). */
export function userJid(jid: string | null | undefined): string | null {
  if (!jid) {
    return null;
  }
  const normalized = jidNormalizedUser(jid);
  return isPnUser(normalized) || isLidUser(normalized) ? normalized : null;
}

export function phoneOf(jid: string | null | undefined): string | null {
  const user = userJid(jid);
  if (!user || !isPnUser(user)) {
    return null;
  }
  const digits = jidDecode(user)?.user ?? '';
  return /^\d{5,20}$/.test(digits) ? digits : null;
}

export function lidOf(jid: string | null | undefined): string | null {
  const user = userJid(jid);
  return user && isLidUser(user) ? user : null;
}

const optional = (value: string | null | undefined): string | null | undefined =>
  value === undefined ? undefined : value || null;

/** A Baileys contact as the engine's WaContact: the phone JID when known, else the LID. */
export function toWaContact(
  contact: Partial<Contact> & { id?: string | null },
  alt?: string | null,
): WaContact | null {
  const ids = [contact.id, contact.phoneNumber, contact.lid, alt];
  let phoneNumber: string | null = null;
  let lid: string | null = null;
  // Each id decoded once (a grab converts 25,000 participants)
  for (const id of ids) {
    const user: string | null = phoneNumber && lid ? null : userJid(id);
    if (user && !phoneNumber && isPnUser(user)) {
      const digits: string = jidDecode(user)?.user ?? '';
      phoneNumber = /^\d{5,20}$/.test(digits) ? digits : null;
    } else if (user && !lid && isLidUser(user)) {
      lid = user;
    }
  }
  if (!phoneNumber && !lid) {
    return null;
  }
  return {
    jid: phoneNumber ? `${phoneNumber}@s.whatsapp.net` : (lid as string),
    lid,
    phoneNumber,
    name: optional(contact.name),
    notify: optional(contact.notify),
    verifiedName: optional(contact.verifiedName),
  };
}

export function toWaParticipant(participant: GroupParticipant): WaGroupParticipant | null {
  const contact = toWaContact(participant);
  if (!contact) {
    return null;
  }
  return {
    jid: contact.jid,
    lid: contact.lid,
    phoneNumber: contact.phoneNumber,
    isAdmin: participant.admin === 'admin' || participant.admin === 'superadmin',
    isSuperAdmin: participant.admin === 'superadmin',
  };
}

/**
 * Baileys' groupFetchAllParticipating hands the same metadata objects to `groups.update` (the
 * address book feed) and to its caller (a grab): each is converted once.
 */
const converted = new WeakMap<GroupMetadata, WaGroup>();

export function toWaGroup(metadata: GroupMetadata): WaGroup {
  let group = converted.get(metadata);
  if (!group) {
    group = convertGroup(metadata);
    converted.set(metadata, group);
  }
  return group;
}

function convertGroup(metadata: GroupMetadata): WaGroup {
  const participants = (metadata.participants ?? [])
    .map(toWaParticipant)
    .filter((participant): participant is WaGroupParticipant => participant !== null);
  return {
    id: metadata.id,
    subject: metadata.subject || null,
    description: metadata.desc || null,
    size: metadata.size ?? participants.length,
    owner: metadata.owner ?? null,
    participants,
  };
}
