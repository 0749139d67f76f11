import type { ContactType } from './contact.entity';

/**
 * Where a message to one recipient goes: the digits of a phone number (CONTRACT §5; its JID
 * comes from the WhatsApp check), or a group/LID JID, known at once. A person stored by LID with
 * a known number has both: the number as address, the LID as JID.
 */
export interface ChatAddress {
  address: string;
  jid: string | null;
}

/** A chat with the name a stored contact gives it. */
export interface NamedChat extends ChatAddress {
  name: string | null;
}

/** A stored contact as a recipient source reads it (a raw row, not an entity). */
export interface ContactAddress {
  contactId: string;
  phoneNumber: string | null;
  type: ContactType | null;
  name: string | null;
  groupName: string | null;
}

const GROUP_OR_LID = /^(\d[\d-]*@g\.us|\d+@lid)$/;

/** The address of what a user typed: digits of a phone number, or a group/LID JID; else null. */
export function addressOf(
  input: string,
  phoneOf: (value: string) => string | null,
): ChatAddress | null {
  const trimmed = input.trim();
  if (GROUP_OR_LID.test(trimmed)) {
    return { address: trimmed, jid: trimmed };
  }
  const userJid = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(trimmed);
  const phone = userJid ? userJid[1] : phoneOf(trimmed);
  return phone ? { address: phone, jid: null } : null;
}

/** A stored address as the chat it names (digits are a number, anything else a JID). */
export function chatOfAddress(address: string): ChatAddress {
  return { address, jid: /^\d+$/.test(address) ? null : address };
}

/** A stored contact (or group) row as a chat; people without a known number: null. */
export function addressOfContact(
  row: ContactAddress,
): (ChatAddress & { name: string | null }) | null {
  const name = row.name ?? row.groupName;
  if (row.type === 'group') {
    return { address: row.contactId, jid: row.contactId, name };
  }
  if (row.contactId.endsWith('@lid')) {
    // a person known by LID goes there; with a known number, the number is its address, so
    // opt-outs and de-duplication (both by number) see it as the same person
    return { address: row.phoneNumber ?? row.contactId, jid: row.contactId, name };
  }
  const phone = row.phoneNumber ?? /^(\d+)@s\.whatsapp\.net$/.exec(row.contactId)?.[1];
  return phone ? { address: phone, jid: null, name } : null;
}
