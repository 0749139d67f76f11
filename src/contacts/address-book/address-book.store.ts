import { clipTo } from '../../database/column-text';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DataSource, EntityManager } from 'typeorm';
import {
  AddressBookEvents,
  type ContactsChangedEvent,
  type GroupParticipantsEvent,
  type GroupsChangedEvent,
  type GroupsPatchedEvent,
  type LidMappingsEvent,
  type WaContact,
  type WaGroup,
  type WaGroupParticipant,
  type WaLidMapping,
} from '../../whatsapp/address-book/address-book-events';
import { SessionEvents, type SessionRemovedEvent } from '../../whatsapp/session-events';
import {
  chunks,
  deleteByKeys,
  selectByKeys,
  upsertRows,
  type SqlValue,
} from '../../database/bulk-sql';
import { AddressBookGroupEntity } from './address-book.entities';

/** Published after address book changes are committed (auto-sync listens). */
export const AddressBookStored = {
  Contacts: 'address_book.contacts_stored',
  Groups: 'address_book.groups_stored',
} as const;

export interface AddressBookStoredEvent {
  sessionId: string;
  /** Contact JIDs (Contacts) or group ids (Groups) that changed. */
  ids: string[];
}

const BATCH = 500;
const CONTACT_COLUMNS = [
  'session_id',
  'jid',
  'lid',
  'phone_number',
  'name',
  'notify',
  'verified_name',
  'updated_at',
];

interface StoredContact {
  jid: string;
  lid: string | null;
  phone_number: string | null;
  name: string | null;
  notify: string | null;
  verified_name: string | null;
}

const pnJid = (phone: string): string => `${phone}@s.whatsapp.net`;
const pick = <T>(next: T | undefined, previous: T | null | undefined): T | null =>
  next !== undefined ? next : (previous ?? null);

/**
 * Persists the engine's address book events, per session one batch at a time and in arrival
 * order (a history sync of 20,000 contacts is written in batches of 500, each in a transaction),
 * merging a person known by phone JID and by LID into one row keyed by the phone JID.
 */
@Injectable()
export class AddressBookStore implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AddressBookStore');
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * A shutdown writes what is queued before the database closes: a history sync arrives once (its
   * receipt is sent before Baileys even downloads it), so a batch dropped here is gone for good.
   */
  async beforeApplicationShutdown(): Promise<void> {
    while (this.queues.size > 0) {
      await Promise.all(this.queues.values());
    }
  }

  /** Resolves once every change queued so far for the session is stored. */
  async flushed(sessionId: string): Promise<void> {
    await this.queues.get(sessionId);
  }

  @OnEvent(AddressBookEvents.ContactsChanged)
  onContacts(event: ContactsChangedEvent): void {
    for (const batch of chunks(event.contacts, BATCH)) {
      this.enqueue(event.sessionId, (manager) =>
        this.applyContacts(manager, event.sessionId, batch),
      );
    }
  }

  @OnEvent(AddressBookEvents.LidMappings)
  onMappings(event: LidMappingsEvent): void {
    for (const batch of chunks(event.mappings, BATCH)) {
      this.enqueue(event.sessionId, (manager) =>
        this.applyMappings(manager, event.sessionId, batch),
      );
    }
  }

  @OnEvent(AddressBookEvents.GroupsChanged)
  onGroups(event: GroupsChangedEvent): void {
    for (const batch of chunks(event.groups, 100)) {
      this.enqueue(event.sessionId, (manager) => this.applyGroups(manager, event.sessionId, batch));
    }
  }

  @OnEvent(AddressBookEvents.GroupsPatched)
  onGroupsPatched(event: GroupsPatchedEvent): void {
    this.enqueue(event.sessionId, async (manager) => {
      const repository = manager.getRepository(AddressBookGroupEntity);
      const changed: string[] = [];
      for (const patch of event.patches) {
        const group = await repository.findOneBy({ sessionId: event.sessionId, groupId: patch.id });
        if (group) {
          group.subject = patch.subject !== undefined ? patch.subject : group.subject;
          group.description =
            patch.description !== undefined ? patch.description : group.description;
          await repository.save(group);
          changed.push(patch.id);
        }
      }
      return { groups: changed };
    });
  }

  @OnEvent(AddressBookEvents.GroupParticipants)
  onParticipants(event: GroupParticipantsEvent): void {
    this.enqueue(event.sessionId, async (manager) => {
      const repository = manager.getRepository(AddressBookGroupEntity);
      const group = await repository.findOneBy({
        sessionId: event.sessionId,
        groupId: event.groupId,
      });
      if (!group) {
        return {};
      }
      group.participants = changeParticipants(group.participants, event);
      group.size = group.participants.length;
      await repository.save(group);
      await this.storeMappings(manager, event.sessionId, mappingsOf(event.participants));
      return { groups: [event.groupId] };
    });
  }

  @OnEvent(SessionEvents.Removed)
  onRemoved(event: SessionRemovedEvent): void {
    this.enqueue(event.sessionId, async (manager) => {
      for (const table of [
        'address_book_contacts',
        'address_book_lid_mappings',
        'address_book_groups',
      ]) {
        await manager.query(`DELETE FROM ${table} WHERE session_id = ?`, [event.sessionId]);
      }
      return {};
    });
  }

  /** Applies LID-to-phone mappings learnt elsewhere (the Signal store) and waits for them. */
  async storeMappings(
    manager: EntityManager,
    sessionId: string,
    mappings: WaLidMapping[],
  ): Promise<void> {
    if (mappings.length === 0) {
      return;
    }
    const known = new Map(
      (
        await selectByKeys<{ lid: string; phone_number: string | null }>(
          manager,
          'address_book_lid_mappings',
          ['lid', 'phone_number'],
          sessionId,
          'lid',
          [...new Set(mappings.map((mapping) => mapping.lid))],
        )
      ).map((row) => [row.lid, row.phone_number]),
    );
    const changed = new Map(
      mappings
        .filter((mapping) => known.get(mapping.lid) !== mapping.phoneNumber)
        .map((mapping) => [mapping.lid, mapping]),
    );
    await upsertRows(
      manager,
      'address_book_lid_mappings',
      ['session_id', 'lid', 'phone_number'],
      ['session_id', 'lid'],
      ['phone_number'],
      [...changed.values()].map((mapping) => [sessionId, mapping.lid, mapping.phoneNumber]),
    );
  }

  async learnMappings(sessionId: string, mappings: WaLidMapping[]): Promise<void> {
    this.enqueue(sessionId, (manager) => this.applyMappings(manager, sessionId, mappings));
    await this.flushed(sessionId);
  }

  private enqueue(
    sessionId: string,
    task: (manager: EntityManager) => Promise<{ contacts?: string[]; groups?: string[] }>,
  ): void {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const changed = await this.dataSource.transaction(task);
        if (changed.contacts?.length) {
          this.events.emit(AddressBookStored.Contacts, { sessionId, ids: changed.contacts });
        }
        if (changed.groups?.length) {
          this.events.emit(AddressBookStored.Groups, { sessionId, ids: changed.groups });
        }
      })
      .catch((error: unknown) => {
        this.logger.error(`[${sessionId}] address book write failed: ${String(error)}`);
      });
    this.queues.set(sessionId, next);
    void next.then(() => {
      if (this.queues.get(sessionId) === next) {
        this.queues.delete(sessionId);
      }
    });
  }

  private async applyMappings(
    manager: EntityManager,
    sessionId: string,
    mappings: WaLidMapping[],
  ): Promise<{ contacts?: string[] }> {
    await this.storeMappings(manager, sessionId, mappings);
    // People stored under a LID become one row under their phone JID
    const lidKeyed = await selectByKeys<StoredContact>(
      manager,
      'address_book_contacts',
      ['jid'],
      sessionId,
      'jid',
      mappings.map((mapping) => mapping.lid),
    );
    const known = new Set(lidKeyed.map((row) => row.jid));
    const merged = mappings
      .filter((mapping) => known.has(mapping.lid))
      .map((mapping) => ({
        jid: pnJid(mapping.phoneNumber),
        lid: mapping.lid,
        phoneNumber: mapping.phoneNumber,
      }));
    return merged.length > 0 ? this.applyContacts(manager, sessionId, merged) : {};
  }

  private async applyContacts(
    manager: EntityManager,
    sessionId: string,
    contacts: WaContact[],
  ): Promise<{ contacts: string[] }> {
    // LID-only contacts: the phone number may be known from an earlier mapping
    const lidOnly = contacts.filter((contact) => !contact.phoneNumber && contact.lid);
    const mapped = new Map(
      (
        await selectByKeys<{ lid: string; phone_number: string | null }>(
          manager,
          'address_book_lid_mappings',
          ['lid', 'phone_number'],
          sessionId,
          'lid',
          lidOnly.map((contact) => contact.lid as string),
        )
      ).map((row) => [row.lid, row.phone_number]),
    );
    const lids = [
      ...new Set(contacts.map((contact) => contact.lid).filter((lid): lid is string => !!lid)),
    ];
    const existing = [
      ...(await selectByKeys<StoredContact>(
        manager,
        'address_book_contacts',
        CONTACT_COLUMNS.slice(1, 7),
        sessionId,
        'jid',
        [...new Set([...contacts.map((contact) => contact.jid), ...lids])],
      )),
      ...(await selectByKeys<StoredContact>(
        manager,
        'address_book_contacts',
        CONTACT_COLUMNS.slice(1, 7),
        sessionId,
        'lid',
        lids,
      )),
    ];
    const byJid = new Map(existing.map((row) => [row.jid, row]));
    const byLid = new Map(existing.filter((row) => row.lid).map((row) => [row.lid as string, row]));

    const rows = new Map<string, StoredContact>();
    const removed = new Set<string>();
    for (const contact of contacts) {
      let phone = contact.phoneNumber ?? (contact.lid ? (mapped.get(contact.lid) ?? null) : null);
      const viaLid = contact.lid ? byLid.get(contact.lid) : undefined;
      if (!phone && viaLid?.phone_number) {
        phone = viaLid.phone_number;
      }
      const jid = phone ? pnJid(phone) : contact.jid;
      const base: StoredContact | undefined = rows.get(jid) ?? byJid.get(jid);
      const lidRow = contact.lid && contact.lid !== jid ? byJid.get(contact.lid) : undefined;
      if (lidRow) {
        removed.add(lidRow.jid);
      }
      const previous = { ...lidRow, ...base } as Partial<StoredContact>;
      const row: StoredContact = {
        jid,
        lid: contact.lid ?? previous.lid ?? null,
        phone_number: phone ?? previous.phone_number ?? null,
        // names are what others chose: cut to their columns, or the whole batch is refused
        name: clipTo(pick(contact.name, previous.name ?? lidRow?.name), 255),
        notify: clipTo(pick(contact.notify, previous.notify ?? lidRow?.notify), 255),
        verified_name: clipTo(
          pick(contact.verifiedName, previous.verified_name ?? lidRow?.verified_name),
          255,
        ),
      };
      rows.set(jid, row);
      byJid.set(jid, row);
    }
    for (const jid of rows.keys()) {
      removed.delete(jid);
    }
    const now = new Date();
    await upsertRows(
      manager,
      'address_book_contacts',
      CONTACT_COLUMNS,
      ['session_id', 'jid'],
      CONTACT_COLUMNS.slice(2),
      [...rows.values()].map((row) => [
        sessionId,
        row.jid,
        row.lid,
        row.phone_number,
        row.name,
        row.notify,
        row.verified_name,
        now,
      ]),
    );
    if (removed.size > 0) {
      await deleteByKeys(manager, 'address_book_contacts', sessionId, 'jid', [...removed]);
    }
    await this.storeMappings(
      manager,
      sessionId,
      [...rows.values()]
        .filter((row) => row.lid && row.phone_number)
        .map((row) => ({ lid: row.lid as string, phoneNumber: row.phone_number as string })),
    );
    return { contacts: [...rows.keys()] };
  }

  private async applyGroups(
    manager: EntityManager,
    sessionId: string,
    groups: WaGroup[],
  ): Promise<{ groups: string[] }> {
    const columns = ['subject', 'description', 'size', 'owner', 'participants'];
    const stored = new Map(
      (
        await selectByKeys<Record<string, unknown>>(
          manager,
          'address_book_groups',
          ['group_id', ...columns],
          sessionId,
          'group_id',
          groups.map((group) => group.id),
        )
      ).map((row) => [String(row.group_id), row]),
    );
    const rows = groups.map((group) => ({
      group,
      values: [
        group.subject,
        group.description,
        group.size,
        group.owner,
        JSON.stringify(group.participants),
      ] as SqlValue[],
    }));
    // A fetch of every group reports mostly unchanged ones: only the changed are written
    const changed = rows.filter(({ group, values }) => {
      const row = stored.get(group.id);
      return !row || columns.some((column, index) => asText(row[column]) !== asText(values[index]));
    });
    const now = new Date();
    await upsertRows(
      manager,
      'address_book_groups',
      ['session_id', 'group_id', ...columns, 'updated_at'],
      ['session_id', 'group_id'],
      [...columns, 'updated_at'],
      changed.map(({ group, values }) => [sessionId, group.id, ...values, now]),
    );
    await this.storeMappings(
      manager,
      sessionId,
      changed.flatMap(({ group }) => mappingsOf(group.participants)),
    );
    return { groups: changed.map(({ group }) => group.id) };
  }
}

const asText = (value: unknown): string =>
  value === null || value === undefined
    ? 'null'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

function mappingsOf(participants: WaGroupParticipant[]): WaLidMapping[] {
  return participants
    .filter((participant) => participant.lid && participant.phoneNumber)
    .map((participant) => ({
      lid: participant.lid as string,
      phoneNumber: participant.phoneNumber as string,
    }));
}

function changeParticipants(
  current: WaGroupParticipant[],
  event: GroupParticipantsEvent,
): WaGroupParticipant[] {
  const same = (a: WaGroupParticipant, b: WaGroupParticipant): boolean =>
    a.jid === b.jid || (a.lid !== null && a.lid === b.lid);
  const changed = event.participants;
  switch (event.action) {
    case 'add':
      return [...current.filter((p) => !changed.some((c) => same(p, c))), ...changed];
    case 'remove':
      return current.filter((p) => !changed.some((c) => same(p, c)));
    case 'promote':
    case 'demote':
      return current.map((p) =>
        changed.some((c) => same(p, c))
          ? { ...p, isAdmin: event.action === 'promote', isSuperAdmin: false }
          : p,
      );
    case 'modify':
      return current;
    default: {
      const unreachable: never = event.action;
      return unreachable;
    }
  }
}
