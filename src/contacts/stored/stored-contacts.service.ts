import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import type { PageMeta } from '../../common/http/envelope';
import { pageMeta, pageRequest } from '../../common/http/pagination';
import type { WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';
import { AddressBookContactEntity } from '../address-book/address-book.entities';
import { ContactEntity, type ContactType } from '../contact.entity';
import { toStoredContactView, type StoredContactView } from '../dto/contact-views';
import type { StoredContactsQueryDto } from '../dto/contacts-query.dto';
import { SessionHooks } from '../../sessions/session-hooks';
import { SessionWriteLock } from '../grab/session-write-lock';
import { GroupParticipantEntity } from '../group-participant.entity';
import { addressOfContact, type ContactAddress, type NamedChat } from '../chat-address';
import type { ContactsSourceDto } from '../dto/contacts-source.dto';
import { ContactListMemberEntity } from '../lists/contact-list.entity';

export interface StoredContactsData {
  session_id: string;
  session_name: string | null;
  type: ContactType | null;
  total_contacts: number;
  contacts: StoredContactView[];
}

export interface ParticipantView {
  contact_id: string;
  phone_number: string | null;
  name: string | null;
  is_admin: boolean;
  is_super_admin: boolean;
}

const EXPORT_BATCH = 1_000;
/** `!` escapes LIKE wildcards: a backslash means different things to MySQL and SQLite literals. */
const escapeLike = (value: string): string => value.replace(/[!%_]/g, (char) => `!${char}`);

/** The stored `contacts` rows of a session: filtered lists, exports, deletes, memberships. */
@Injectable()
export class StoredContactsService {
  constructor(
    @InjectRepository(ContactEntity)
    private readonly contacts: Repository<ContactEntity>,
    @InjectRepository(GroupParticipantEntity)
    private readonly participants: Repository<GroupParticipantEntity>,
    private readonly dataSource: DataSource,
    private readonly lock: SessionWriteLock,
    hooks: SessionHooks,
  ) {
    // A session removed with `purge` loses its stored contacts (after any running grab)
    hooks.onPurge(async (sessionId) => {
      await this.lock.run(sessionId, () => this.deleteRows(sessionId, undefined));
    });
  }

  async list(
    session: WhatsappSessionEntity,
    query: StoredContactsQueryDto,
  ): Promise<{ data: StoredContactsData; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.filtered(session.sessionId, query)
      .orderBy('contact.id', 'ASC')
      .skip(request.skip)
      .take(request.perPage)
      .getManyAndCount();
    return {
      data: {
        session_id: session.sessionId,
        session_name: session.name,
        type: query.type ?? null,
        total_contacts: total,
        contacts: rows.map(toStoredContactView),
      },
      meta: pageMeta(request, total),
    };
  }

  /** The whole filtered set in id order, a batch at a time (keyset pagination: constant memory). */
  async *export(
    sessionId: string,
    query: StoredContactsQueryDto,
  ): AsyncGenerator<StoredContactView[]> {
    let after = '0';
    for (;;) {
      const rows = await this.filtered(sessionId, query)
        .andWhere('contact.id > :after', { after })
        .orderBy('contact.id', 'ASC')
        .limit(EXPORT_BATCH)
        .getMany();
      if (rows.length === 0) {
        return;
      }
      yield rows.map(toStoredContactView);
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * The chats (numbers, group/LID JIDs, with names) of the stored contacts a campaign-style
   * filter matches, in id order, a batch at a time, read as raw rows: what a campaign or a saved
   * list needs of 50,000 contacts without hydrating 50,000 entities. People without a known
   * number are left out. `groupId` takes every member a grab stored for the group (its
   * participants), not only those it saw last in that group (`GET /contacts?group_id`).
   */
  async *chats(sessionId: string, source: ContactsSourceDto): AsyncGenerator<NamedChat[]> {
    const query = { type: source.type, search: source.search };
    let after = '0';
    for (;;) {
      const rows = await this.filtered(sessionId, query, source.groupId)
        .select('contact.id', 'id')
        .addSelect('contact.contactId', 'contactId')
        .addSelect('contact.phoneNumber', 'phoneNumber')
        .addSelect('contact.type', 'type')
        .addSelect('contact.name', 'name')
        .addSelect('contact.groupName', 'groupName')
        .andWhere('contact.id > :after', { after })
        .orderBy('contact.id', 'ASC')
        .limit(EXPORT_BATCH * 5)
        .getRawMany<ContactAddress & { id: string | number }>();
      if (rows.length === 0) {
        return;
      }
      yield rows.flatMap((row) => addressOfContact(row) ?? []);
      after = String(rows[rows.length - 1].id);
    }
  }

  async remove(
    session: WhatsappSessionEntity,
    type: ContactType | undefined,
  ): Promise<{ session_id: string; session_name: string | null; deleted_count: number }> {
    const { sessionId } = session;
    // The session's one writer at a time: a delete waits for a running grab or auto-sync (and
    // they for it), so neither counts rows the other is removing
    const deleted = await this.lock.run(sessionId, () => this.deleteRows(sessionId, type));
    return { session_id: sessionId, session_name: session.name, deleted_count: deleted };
  }

  private deleteRows(sessionId: string, type: ContactType | undefined): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (type) {
        // Memberships of the deleted groups, or of the deleted people
        const column = type === 'group' ? 'group_id' : 'contact_id';
        await manager.query(
          `DELETE FROM group_participants WHERE session_id = ? AND ${column} IN (SELECT contact_id FROM contacts WHERE session_id = ? AND type = ?)`,
          [sessionId, sessionId, type],
        );
      } else {
        await manager.delete(GroupParticipantEntity, { sessionId });
      }
      const result = await manager.delete(
        ContactEntity,
        type ? { sessionId, type } : { sessionId },
      );
      return result.affected ?? 0;
    });
  }

  async groupParticipants(
    sessionId: string,
    groupId: string,
    page: { page?: number; per_page?: number },
  ): Promise<{ group: ContactEntity | null; participants: ParticipantView[]; meta: PageMeta }> {
    const request = pageRequest(page);
    const group = await this.contacts.findOneBy({ sessionId, contactId: groupId, type: 'group' });
    const [rows, total] = await this.participants.findAndCount({
      where: { sessionId, groupId },
      order: { id: 'ASC' },
      skip: request.skip,
      take: request.perPage,
    });
    const named =
      rows.length === 0
        ? []
        : await this.contacts
            .createQueryBuilder('contact')
            .select(['contact.id', 'contact.contactId', 'contact.name'])
            .where('contact.sessionId = :sessionId', { sessionId })
            .andWhere('contact.contactId IN (:...ids)', { ids: rows.map((row) => row.contactId) })
            .getMany();
    const names = new Map(named.map((contact) => [contact.contactId, contact.name]));
    return {
      group,
      participants: rows.map((row) => ({
        contact_id: row.contactId,
        phone_number: row.phoneNumber,
        name: names.get(row.contactId) ?? null,
        is_admin: Boolean(row.isAdmin),
        is_super_admin: Boolean(row.isSuperAdmin),
      })),
      meta: pageMeta(request, total),
    };
  }

  /** The stored contacts `query` matches; with `memberOf`, only the participants of that group. */
  private filtered(
    sessionId: string,
    query: StoredContactsQueryDto,
    memberOf?: string,
  ): SelectQueryBuilder<ContactEntity> {
    const builder = this.contacts
      .createQueryBuilder('contact')
      .where('contact.sessionId = :sessionId', { sessionId });
    if (memberOf !== undefined) {
      const members = builder
        .subQuery()
        .select('member.contactId')
        .from(GroupParticipantEntity, 'member')
        .where('member.sessionId = :sessionId')
        .andWhere('member.groupId = :memberOf', { memberOf })
        .getQuery();
      builder.andWhere(`contact.contactId IN ${members}`);
    }
    if (query.type) {
      builder.andWhere('contact.type = :type', { type: query.type });
    }
    if (query.group_id) {
      builder.andWhere('contact.groupId = :groupId', { groupId: query.group_id });
    }
    if (query.list_id) {
      // members are numbers (digits, as phone_number) or group/LID JIDs (as contact_id)
      const members = builder
        .subQuery()
        .select('member.address')
        .from(ContactListMemberEntity, 'member')
        .where('member.listId = :listId', { listId: query.list_id })
        .getQuery();
      builder.andWhere(
        new Brackets((where) => {
          where.where(`contact.phoneNumber IN ${members}`);
          where.orWhere(`contact.contactId IN ${members}`);
        }),
      );
    }
    const search = query.search?.trim();
    if (search) {
      const like = `%${escapeLike(search)}%`;
      const digits = search.replace(/\D/g, '');
      const pushNames = builder
        .subQuery()
        .select('book.jid')
        .from(AddressBookContactEntity, 'book')
        .where('book.sessionId = :sessionId')
        .andWhere("book.notify LIKE :like ESCAPE '!'")
        .getQuery();
      builder.andWhere(
        new Brackets((where) => {
          where.where("contact.name LIKE :like ESCAPE '!'", { like });
          // The push name lives in the address book
          where.orWhere(`contact.contactId IN ${pushNames}`);
          if (digits.length > 0 && /^[\d\s()+.-]+$/.test(search)) {
            where.orWhere('contact.phoneNumber LIKE :digits', { digits: `%${digits}%` });
          }
        }),
      );
    }
    return builder;
  }
}
