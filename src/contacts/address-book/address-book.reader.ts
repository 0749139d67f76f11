import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import type { WaGroupParticipant } from '../../whatsapp/address-book/address-book-events';
import { WaDirectory } from '../../whatsapp/address-book/wa-directory';
import { type KnownPerson, participantId } from './known-person';
import { chunks } from '../../database/bulk-sql';
import {
  AddressBookContactEntity,
  AddressBookGroupEntity,
  AddressBookLidMappingEntity,
} from './address-book.entities';
import { AddressBookStore } from './address-book.store';

const BY_KEY_LIMIT = 2_000;

const toPerson = (row: AddressBookContactEntity): KnownPerson => ({
  jid: row.jid,
  lid: row.lid,
  phoneNumber: row.phoneNumber,
  name: row.name,
  notify: row.notify,
  verifiedName: row.verifiedName,
});

/**
 * Reads a session's address book after every queued change is stored, first resolving LIDs whose
 * phone number the session's Signal store knows (so they merge into their phone JID).
 */
@Injectable()
export class AddressBookReader {
  constructor(
    @InjectRepository(AddressBookContactEntity)
    private readonly contacts: Repository<AddressBookContactEntity>,
    @InjectRepository(AddressBookGroupEntity)
    private readonly groups: Repository<AddressBookGroupEntity>,
    @InjectRepository(AddressBookLidMappingEntity)
    private readonly mappings: Repository<AddressBookLidMappingEntity>,
    private readonly store: AddressBookStore,
    private readonly directory: WaDirectory,
  ) {}

  /** Every person in the address book (resolving LIDs through the live session when it runs). */
  async people(sessionId: string, live: boolean): Promise<KnownPerson[]> {
    await this.store.flushed(sessionId);
    if (live) {
      const lidOnly = await this.contacts.find({
        select: { jid: true },
        where: { sessionId, phoneNumber: IsNull() },
      });
      await this.resolveLids(
        sessionId,
        lidOnly.map((row) => row.jid).filter((jid) => jid.endsWith('@lid')),
      );
    }
    return this.all(sessionId);
  }

  /**
   * The people with these JIDs (phone JIDs or LIDs), keyed by the JID asked for. Reads what is
   * stored now (a grab's own group writes still queued change no person).
   */
  async byJids(sessionId: string, jids: string[]): Promise<Map<string, KnownPerson>> {
    const unique = [...new Set(jids)];
    const found = new Map<string, KnownPerson>();
    const add = (person: KnownPerson): void => {
      found.set(person.jid, person);
      if (person.lid) {
        found.set(person.lid, person);
      }
    };
    if (unique.length > BY_KEY_LIMIT) {
      // A large grab asks for most of the book: one read beats many IN lists
      const wanted = new Set(unique);
      for (const person of await this.all(sessionId)) {
        if (wanted.has(person.jid) || (person.lid && wanted.has(person.lid))) {
          add(person);
        }
      }
      return found;
    }
    for (const batch of chunks(unique, 1000)) {
      const [byJid, byLid] = await Promise.all([
        this.contacts.find({ where: { sessionId, jid: In(batch) } }),
        this.contacts.find({ where: { sessionId, lid: In(batch) } }),
      ]);
      [...byJid, ...byLid].forEach((row) => add(toPerson(row)));
    }
    return found;
  }

  /** The whole address book of a session, read raw (no entity hydration), in JID order. */
  private async all(sessionId: string): Promise<KnownPerson[]> {
    const rows = await this.contacts
      .createQueryBuilder('book')
      .select([
        'book.jid AS jid',
        'book.lid AS lid',
        'book.phone_number AS phoneNumber',
        'book.name AS name',
        'book.notify AS notify',
        'book.verified_name AS verifiedName',
      ])
      .where('book.session_id = :sessionId', { sessionId })
      .orderBy('book.jid', 'ASC')
      .getRawMany<KnownPerson>();
    return rows;
  }

  /**
   * What a grab needs about group participants: the phone numbers of those known only by LID,
   * and the address book entry of each (by phone JID or LID).
   */
  async participantsKnown(
    sessionId: string,
    participants: WaGroupParticipant[],
    book?: KnownPerson[],
  ): Promise<{ phones: Map<string, string>; known: Map<string, KnownPerson> }> {
    const phones = await this.resolveLids(
      sessionId,
      participants.filter((p) => !p.phoneNumber && p.lid).map((p) => p.lid as string),
    );
    if (book) {
      // The caller read the whole book already (grab-all)
      const known = new Map<string, KnownPerson>();
      for (const person of book) {
        known.set(person.jid, person);
        if (person.lid) {
          known.set(person.lid, person);
        }
      }
      return { phones, known };
    }
    const known = await this.byJids(sessionId, [
      ...participants.map((p) => participantId(p, phones).id),
      ...participants.map((p) => p.lid).filter((lid): lid is string => !!lid),
    ]);
    return { phones, known };
  }

  async storedGroups(sessionId: string, ids?: string[]): Promise<AddressBookGroupEntity[]> {
    await this.store.flushed(sessionId);
    return this.groups.find({
      where: ids ? { sessionId, groupId: In(ids) } : { sessionId },
      order: { groupId: 'ASC' },
    });
  }

  /**
   * The phone numbers of `lids`: from the stored mappings, else from the session's Signal store
   * (what it knows is stored too). LIDs nobody can map are left out.
   */
  async resolveLids(sessionId: string, lids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(lids)];
    const phones = new Map<string, string>();
    for (const batch of chunks(unique, 1000)) {
      const rows = await this.mappings.find({ where: { sessionId, lid: In(batch) } });
      rows.forEach((row) => row.phoneNumber && phones.set(row.lid, row.phoneNumber));
    }
    const unknown = unique.filter((lid) => !phones.has(lid));
    if (unknown.length > 0) {
      const mappings = await this.directory.phoneNumbersForLids(sessionId, unknown).catch(() => []);
      if (mappings.length > 0) {
        await this.store.learnMappings(sessionId, mappings);
      }
      mappings.forEach((mapping) => phones.set(mapping.lid, mapping.phoneNumber));
    }
    return phones;
  }
}
