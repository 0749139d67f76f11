import { Injectable } from '@nestjs/common';
import type { WaGroup } from '../../whatsapp/address-book/address-book-events';
import { AddressBookReader } from '../address-book/address-book.reader';
import { type KnownPerson, participantId } from '../address-book/known-person';
import { GrabRows, groupView, isMe, type GrabbedGroupView, type Pictures } from './grab-rows';

/** Group rows and participant rows; participants' phone numbers and names from the address book. */
@Injectable()
export class GroupRowsBuilder {
  constructor(private readonly reader: AddressBookReader) {}

  async add(
    sessionId: string,
    groups: WaGroup[],
    me: { jid: string | null; lid: string | null },
    pictures: Pictures,
    rows: GrabRows,
    book?: KnownPerson[],
  ): Promise<GrabbedGroupView[]> {
    const participants = groups.flatMap((group) => group.participants).filter((p) => !isMe(p, me));
    const { phones, known } = await this.reader.participantsKnown(sessionId, participants, book);
    return groups.map((group) => {
      const isAdmin = group.participants.some((p) => isMe(p, me) && p.isAdmin);
      rows.addGroup(group, isAdmin, pictures);
      for (const participant of group.participants) {
        if (!isMe(participant, me)) {
          const id = participantId(participant, phones);
          const person =
            known.get(id.id) ?? (participant.lid ? known.get(participant.lid) : undefined);
          rows.addParticipant(group.id, participant, id, person);
        }
      }
      return groupView(group, isAdmin, pictures);
    });
  }
}
