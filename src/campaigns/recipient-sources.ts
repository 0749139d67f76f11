import type { ContactAddress } from '../contacts/stored/stored-contacts.service';
import { BadCampaignRequest } from './campaign-errors';
import type { RecipientItemDto } from './dto/create-campaign.dto';

/** A recipient as planned: its address (digits, or a group/LID JID) and its variables. */
export interface PlannedRecipient {
  address: string;
  /** Known at once for group and LID chats; a number's JID comes from the WhatsApp check. */
  jid: string | null;
  name: string | null;
  variables: Record<string, string> | null;
}

const GROUP_OR_LID = /^(\d[\d-]*@g\.us|\d+@lid)$/;

/** The address of what a user typed: digits of a phone number, or a group/LID JID; else null. */
export function addressOf(
  input: string,
  phoneOf: (value: string) => string | null,
): { address: string; jid: string | null } | null {
  const trimmed = input.trim();
  if (GROUP_OR_LID.test(trimmed)) {
    return { address: trimmed, jid: trimmed };
  }
  const userJid = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(trimmed);
  const phone = userJid ? userJid[1] : phoneOf(trimmed);
  return phone ? { address: phone, jid: null } : null;
}

/** An explicit list: every entry must be a number or a group JID (a 400 names the first bad one). */
export function fromList(
  items: RecipientItemDto[],
  phoneOf: (value: string) => string | null,
): PlannedRecipient[] {
  return items.map((item, index) => {
    const address = addressOf(item.to, phoneOf);
    if (!address) {
      throw new BadCampaignRequest(
        `recipients[${index}].to`,
        `"${item.to.slice(0, 64)}" is not a phone number or a group JID`,
      );
    }
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(item.variables ?? {})) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new BadCampaignRequest(
          `recipients[${index}].variables.${key}`,
          'a variable must be a string or a number',
        );
      }
      variables[key.toLowerCase()] = String(value);
    }
    return { ...address, name: item.name ?? null, variables };
  });
}

/** A stored contact (or group) row as a recipient; people without a known number are left out. */
export function fromContact(row: ContactAddress): PlannedRecipient | null {
  const name = row.name ?? row.groupName;
  if (row.type === 'group' || row.contactId.endsWith('@lid')) {
    return { address: row.contactId, jid: row.contactId, name, variables: null };
  }
  const phone = row.phoneNumber ?? /^(\d+)@s\.whatsapp\.net$/.exec(row.contactId)?.[1];
  return phone ? { address: phone, jid: null, name, variables: null } : null;
}

/** The first recipient of each address (numbers are normalized already), in order. */
export function dedupe(recipients: Iterable<PlannedRecipient>): PlannedRecipient[] {
  const seen = new Map<string, PlannedRecipient>();
  for (const recipient of recipients) {
    if (!seen.has(recipient.address)) {
      seen.set(recipient.address, recipient);
    }
  }
  return [...seen.values()];
}
