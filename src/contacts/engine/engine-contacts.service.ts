import { Injectable } from '@nestjs/common';
import type { WaGroup } from '../../whatsapp/address-book/address-book-events';
import { WaDirectory } from '../../whatsapp/address-book/wa-directory';
import { AddressBookReader } from '../address-book/address-book.reader';
import { WhatsappUnavailable } from '../contacts-errors';
import { ConnectedSession } from '../grab/connected-session';
import { ContactListsService } from '../lists/contact-lists.service';
import { participantId } from '../address-book/known-person';
import { displayName, isMe } from '../grab/grab-rows';

export interface EngineParticipantView {
  id: string;
  phoneNumber: string | null;
  lid: string | null;
  name: string | null;
  isAdmin: boolean;
  isSuperAdmin: boolean;
}

export interface EngineGroupView {
  id: string;
  subject: string | null;
  description: string | null;
  size: number;
  owner: string | null;
  isAdmin: boolean;
  participants: EngineParticipantView[];
}

export interface EngineContactView {
  id: string;
  name: string | null;
  phoneNumber: string | null;
  lid: string | null;
  pushName: string | null;
  verifiedName: string | null;
}

/**
 * The engine routes of 000/001 (`/sessions/:id/groups|contacts|all-contacts`): live groups from
 * WhatsApp and the session's address book, camelCase; nothing is written to `contacts`.
 */
@Injectable()
export class EngineContactsService {
  constructor(
    private readonly sessions: ConnectedSession,
    private readonly directory: WaDirectory,
    private readonly reader: AddressBookReader,
    private readonly lists: ContactListsService,
  ) {}

  async groups(sessionId: string): Promise<EngineGroupView[]> {
    await this.sessions.connected(sessionId);
    let groups: WaGroup[];
    try {
      groups = await this.directory.fetchGroups(sessionId);
    } catch (error) {
      throw new WhatsappUnavailable(error instanceof Error ? error.message : String(error));
    }
    const me = this.directory.ownJids(sessionId);
    const participants = groups.flatMap((group) => group.participants);
    const { phones, known } = await this.reader.participantsKnown(sessionId, participants);
    return [...groups]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((group) => ({
        id: group.id,
        subject: group.subject,
        description: group.description,
        size: group.size,
        owner: group.owner,
        isAdmin: group.participants.some((p) => isMe(p, me) && p.isAdmin),
        participants: group.participants.map((participant) => {
          const { id, phone } = participantId(participant, phones);
          const person =
            known.get(id) ?? (participant.lid ? known.get(participant.lid) : undefined);
          return {
            id,
            phoneNumber: phone,
            lid: participant.lid,
            name: displayName(person),
            isAdmin: participant.isAdmin,
            isSuperAdmin: participant.isSuperAdmin,
          };
        }),
      }));
  }

  /** The address book's people; with `listId`, only the members of that saved list. */
  async contacts(sessionId: string, listId?: string): Promise<EngineContactView[]> {
    await this.sessions.connected(sessionId);
    const members =
      listId === undefined ? undefined : await this.lists.addresses(sessionId, listId);
    const me = this.directory.ownJids(sessionId);
    return (await this.reader.people(sessionId, true))
      .filter((person) => person.jid !== me.jid && (!person.lid || person.lid !== me.lid))
      .filter(
        (person) =>
          !members ||
          [person.phoneNumber, person.jid, person.lid].some(
            (address) => address !== null && members.has(address),
          ),
      )
      .map((person) => ({
        id: person.jid,
        name: displayName(person),
        phoneNumber: person.phoneNumber,
        lid: person.lid,
        pushName: person.notify,
        verifiedName: person.verifiedName,
      }));
  }

  async all(
    sessionId: string,
  ): Promise<{ groups: EngineGroupView[]; contacts: EngineContactView[] }> {
    const [groups, contacts] = await Promise.all([
      this.groups(sessionId),
      this.contacts(sessionId),
    ]);
    return { groups, contacts };
  }
}
