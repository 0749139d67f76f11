import type { WaGroupParticipant } from '../../whatsapp/address-book/address-book-events';

/** The person a grab reports: what the address book knows about one JID. */
export interface KnownPerson {
  jid: string;
  lid: string | null;
  phoneNumber: string | null;
  name: string | null;
  notify: string | null;
  verifiedName: string | null;
}

/** Phone JID for a participant whose phone number is known (from the group or the mapping). */
export function participantId(
  participant: WaGroupParticipant,
  phones: Map<string, string>,
): {
  id: string;
  phone: string | null;
} {
  const phone =
    participant.phoneNumber ?? (participant.lid ? phones.get(participant.lid) : undefined) ?? null;
  return { id: phone ? `${phone}@s.whatsapp.net` : participant.jid, phone };
}
