import { addressOf } from '../contacts/chat-address';
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

/**
 * The first recipient of each address (numbers are normalized already), in order. A first
 * occurrence without a name takes the first name a later one has (a number typed in a list, also
 * among the stored contacts, is greeted by its contact's name).
 */
export function dedupe(recipients: Iterable<PlannedRecipient>): PlannedRecipient[] {
  const seen = new Map<string, PlannedRecipient>();
  for (const recipient of recipients) {
    const first = seen.get(recipient.address);
    if (!first) {
      seen.set(recipient.address, recipient);
    } else if (first.name === null && recipient.name !== null) {
      seen.set(recipient.address, { ...first, name: recipient.name });
    }
  }
  return [...seen.values()];
}
