import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { PageMeta } from '../../common/http/envelope';
import { pageMeta, pageRequest, type PaginationQueryDto } from '../../common/http/pagination';
import { normalizePhoneNumber } from '../../common/phone/phone-number';
import { AppConfig } from '../../config/app-config';
import { SessionHooks } from '../../sessions/session-hooks';
import { addressOf, chatOfAddress, type ChatAddress, type NamedChat } from '../chat-address';
import { StoredContactsService } from '../stored/stored-contacts.service';
import {
  BadContactListRequest,
  ContactListNameTaken,
  ContactListNotFound,
  ContactListTooLarge,
} from './contact-list-errors';
import { ContactListEntity, ContactListMemberEntity } from './contact-list.entity';
import {
  MAX_LIST_MEMBERS,
  type ContactListMemberViewDto,
  type ContactListViewDto,
  type ContactListWithMembersDto,
  type CreateContactListDto,
  type ListMembersDto,
  type MembersAddedDto,
  type MemberRemovedDto,
} from './dto/contact-list.dto';

/** Rows per INSERT and per lookup: well under both drivers' bound parameter limits. */
const BATCH = 1_000;

type Member = { address: string; name: string | null };

/**
 * Saved contact lists of a session: named sets of numbers and group/LID JIDs, normalized like
 * campaign recipients, given explicitly or snapshotted from a filter of the stored contacts.
 * A request that fails writes nothing.
 */
@Injectable()
export class ContactListsService {
  constructor(
    @InjectRepository(ContactListEntity) private readonly lists: Repository<ContactListEntity>,
    @InjectRepository(ContactListMemberEntity)
    private readonly members: Repository<ContactListMemberEntity>,
    private readonly dataSource: DataSource,
    private readonly stored: StoredContactsService,
    private readonly config: AppConfig,
    hooks: SessionHooks,
  ) {
    // a session removed with `purge` loses its lists
    hooks.onPurge((sessionId) => this.purge(sessionId));
  }

  async create(sessionId: string, request: CreateContactListDto): Promise<ContactListViewDto> {
    const name = this.nameOf(request.name);
    const members = await this.membersOf(sessionId, request);
    if (members.length > MAX_LIST_MEMBERS) {
      throw new ContactListTooLarge(MAX_LIST_MEMBERS);
    }
    const list = await this.namedUniquely(sessionId, name, undefined, async (manager) => {
      const created = manager.create(ContactListEntity, { sessionId, name });
      await manager.save(created);
      // the generated id is a number on SQLite, a string on MySQL (BIGINT): a string everywhere
      created.id = String(created.id);
      await this.insertMembers(manager, created.id, members);
      return created;
    });
    return this.view(list, members.length);
  }

  async list(
    sessionId: string,
    query: PaginationQueryDto,
  ): Promise<{ data: ContactListViewDto[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.lists.findAndCount({
      where: { sessionId },
      order: { id: 'ASC' },
      skip: request.skip,
      take: request.perPage,
    });
    const counts = await this.counts(rows.map((row) => row.id));
    return {
      data: rows.map((row) => this.view(row, counts.get(String(row.id)) ?? 0)),
      meta: pageMeta(request, total),
    };
  }

  async get(
    sessionId: string,
    listId: string,
    query: PaginationQueryDto,
  ): Promise<{ data: ContactListWithMembersDto; meta: PageMeta }> {
    const list = await this.find(sessionId, listId);
    const request = pageRequest(query);
    const [rows, total] = await this.members.findAndCount({
      where: { listId: list.id },
      order: { id: 'ASC' },
      skip: request.skip,
      take: request.perPage,
    });
    return {
      data: { ...this.view(list, total), members: rows.map(memberView) },
      meta: pageMeta(request, total),
    };
  }

  async rename(sessionId: string, listId: string, newName: string): Promise<ContactListViewDto> {
    const list = await this.find(sessionId, listId);
    const name = this.nameOf(newName);
    if (name !== list.name) {
      await this.namedUniquely(sessionId, name, list.id, (manager) =>
        manager.update(ContactListEntity, { id: list.id }, { name }),
      );
    }
    return this.current(sessionId, listId);
  }

  async addMembers(
    sessionId: string,
    listId: string,
    request: ListMembersDto,
  ): Promise<MembersAddedDto> {
    const list = await this.find(sessionId, listId);
    const members = await this.membersOf(sessionId, request);
    const added = await this.dataSource.transaction(async (manager) => {
      const known = new Set<string>();
      for (let start = 0; start < members.length; start += BATCH) {
        const rows = await manager.find(ContactListMemberEntity, {
          select: { address: true },
          where: {
            listId: list.id,
            address: In(members.slice(start, start + BATCH).map((member) => member.address)),
          },
        });
        rows.forEach((row) => known.add(row.address));
      }
      const fresh = members.filter((member) => !known.has(member.address));
      const count = await manager.count(ContactListMemberEntity, { where: { listId: list.id } });
      if (count + fresh.length > MAX_LIST_MEMBERS) {
        throw new ContactListTooLarge(MAX_LIST_MEMBERS);
      }
      await this.insertMembers(manager, list.id, fresh);
      if (fresh.length > 0) {
        await manager.update(ContactListEntity, { id: list.id }, { updatedAt: new Date() });
      }
      return fresh.length;
    });
    return { added, list: await this.current(sessionId, listId) };
  }

  async removeMember(sessionId: string, listId: string, input: string): Promise<MemberRemovedDto> {
    const list = await this.find(sessionId, listId);
    const chat = this.chatOf(input, 'member');
    const result = await this.members.delete({ listId: list.id, address: chat.address });
    const removed = (result.affected ?? 0) > 0;
    if (removed) {
      await this.lists.update({ id: list.id }, { updatedAt: new Date() });
    }
    return { removed, list: await this.current(sessionId, listId) };
  }

  async remove(sessionId: string, listId: string): Promise<{ deleted: boolean }> {
    const list = await this.find(sessionId, listId);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(ContactListMemberEntity, { listId: list.id });
      await manager.delete(ContactListEntity, { id: list.id });
    });
    return { deleted: true };
  }

  /** The list's members in the order they were added, a batch at a time (keyset pagination). */
  async *chats(sessionId: string, listId: string): AsyncGenerator<NamedChat[]> {
    const list = await this.find(sessionId, listId);
    let after = '0';
    for (;;) {
      const rows = await this.members
        .createQueryBuilder('member')
        .select(['member.id', 'member.address', 'member.name'])
        .where('member.listId = :listId', { listId: list.id })
        .andWhere('member.id > :after', { after })
        .orderBy('member.id', 'ASC')
        .limit(BATCH * 5)
        .getMany();
      if (rows.length === 0) {
        return;
      }
      yield rows.map((row) => ({ ...chatOfAddress(row.address), name: row.name }));
      after = String(rows[rows.length - 1].id);
    }
  }

  /** Every member address of the session's list (404 when it has none such). */
  async addresses(sessionId: string, listId: string): Promise<Set<string>> {
    const addresses = new Set<string>();
    for await (const chats of this.chats(sessionId, listId)) {
      chats.forEach((chat) => addresses.add(chat.address));
    }
    return addresses;
  }

  /** The session's list, or 404 (also for an id that is not a number, or another session's). */
  async find(sessionId: string, listId: string): Promise<ContactListEntity> {
    const list = /^\d{1,18}$/.test(listId)
      ? await this.lists.findOneBy({ id: listId, sessionId })
      : null;
    if (!list) {
      throw new ContactListNotFound(listId);
    }
    list.id = String(list.id);
    return list;
  }

  private nameOf(input: string): string {
    const name = input.trim();
    if (name.length === 0) {
      throw new BadContactListRequest('name', 'name must not be blank');
    }
    return name;
  }

  /**
   * Runs `write` in a transaction once `name` is free in the session (409 otherwise). Names
   * compare case-insensitively on both databases, as MySQL's collation does; a request that took
   * the name meanwhile makes the unique key refuse the write, which is the same 409.
   */
  private async namedUniquely<T>(
    sessionId: string,
    name: string,
    except: string | undefined,
    write: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const taken = async (manager: EntityManager): Promise<boolean> => {
      const builder = manager
        .createQueryBuilder(ContactListEntity, 'list')
        .where('list.sessionId = :sessionId', { sessionId })
        .andWhere('LOWER(list.name) = LOWER(:name)', { name });
      if (except !== undefined) {
        builder.andWhere('list.id <> :except', { except });
      }
      return (await builder.getCount()) > 0;
    };
    try {
      return await this.dataSource.transaction(async (manager) => {
        if (await taken(manager)) {
          throw new ContactListNameTaken(name);
        }
        return write(manager);
      });
    } catch (error) {
      if (!(error instanceof ContactListNameTaken) && (await taken(this.dataSource.manager))) {
        throw new ContactListNameTaken(name);
      }
      throw error;
    }
  }

  /** Given numbers/JIDs first, then the filter's snapshot; the first of each address wins. */
  private async membersOf(sessionId: string, request: ListMembersDto): Promise<Member[]> {
    const unique = new Map<string, Member>();
    (request.members ?? []).forEach((input, index) => {
      const chat = this.chatOf(input, `members[${index}]`);
      if (!unique.has(chat.address)) {
        unique.set(chat.address, { address: chat.address, name: null });
      }
    });
    if (request.contacts) {
      for await (const chats of this.stored.chats(sessionId, request.contacts)) {
        for (const chat of chats) {
          if (!unique.has(chat.address)) {
            unique.set(chat.address, {
              address: chat.address,
              name: chat.name?.slice(0, 255) ?? null,
            });
          }
        }
        if (unique.size > MAX_LIST_MEMBERS) {
          throw new ContactListTooLarge(MAX_LIST_MEMBERS);
        }
      }
    }
    return [...unique.values()];
  }

  private chatOf(input: string, field: string): ChatAddress {
    const chat = addressOf(input, (value) =>
      normalizePhoneNumber(value, this.config.defaultCountryCode),
    );
    if (!chat) {
      throw new BadContactListRequest(
        field,
        `"${input.slice(0, 64)}" is not a phone number, a user JID or a group JID`,
      );
    }
    return chat;
  }

  private async insertMembers(
    manager: EntityManager,
    listId: string,
    members: Member[],
  ): Promise<void> {
    for (let start = 0; start < members.length; start += BATCH) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ContactListMemberEntity)
        .values(
          members
            .slice(start, start + BATCH)
            .map((member) => ({ listId, address: member.address, name: member.name })),
        )
        .updateEntity(false)
        .execute();
    }
  }

  private async counts(listIds: string[]): Promise<Map<string, number>> {
    if (listIds.length === 0) {
      return new Map();
    }
    const rows = await this.members
      .createQueryBuilder('member')
      .select('member.listId', 'listId')
      .addSelect('COUNT(*)', 'n')
      .where({ listId: In(listIds) })
      .groupBy('member.listId')
      .getRawMany<{ listId: string | number; n: string | number }>();
    return new Map(rows.map((row) => [String(row.listId), Number(row.n)]));
  }

  private view(list: ContactListEntity, memberCount: number): ContactListViewDto {
    return {
      id: String(list.id),
      sessionId: list.sessionId,
      name: list.name,
      memberCount,
      createdAt: list.createdAt.toISOString(),
      updatedAt: list.updatedAt.toISOString(),
    };
  }

  /** The list as stored now, with its member count. */
  private async current(sessionId: string, listId: string): Promise<ContactListViewDto> {
    const list = await this.find(sessionId, listId);
    return this.view(list, await this.members.count({ where: { listId: list.id } }));
  }

  private async purge(sessionId: string): Promise<void> {
    const owned = await this.lists.find({ select: { id: true }, where: { sessionId } });
    await this.dataSource.transaction(async (manager) => {
      for (let start = 0; start < owned.length; start += BATCH) {
        const ids = owned.slice(start, start + BATCH).map((list) => list.id);
        await manager.delete(ContactListMemberEntity, { listId: In(ids) });
      }
      await manager.delete(ContactListEntity, { sessionId });
    });
  }
}

function memberView(row: ContactListMemberEntity): ContactListMemberViewDto {
  return { address: row.address, name: row.name, addedAt: row.createdAt.toISOString() };
}
