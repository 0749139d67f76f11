import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { WaGroup } from '../../whatsapp/address-book/address-book-events';
import { WaDirectory } from '../../whatsapp/address-book/wa-directory';
import { SessionRecords } from '../../whatsapp/session-records';
import { AddressBookReader } from '../address-book/address-book.reader';
import { AddressBookStored, type AddressBookStoredEvent } from '../address-book/address-book.store';
import { GrabRows } from '../grab/grab-rows';
import { GroupRowsBuilder } from '../grab/group-rows.builder';
import { SessionWriteLock } from '../grab/session-write-lock';
import { writeContacts } from '../storage/contact-writer';
import { writeMemberships } from '../storage/membership-writer';

/** Published after auto-sync wrote address book changes into `contacts`. */
export const ContactsSynced = 'contacts.auto_synced';

export interface ContactsSyncedEvent {
  sessionId: string;
  contactIds: string[];
  saved: number;
  updated: number;
}

/**
 * Real-time sync (001's first "next step"): with CONTACTS_AUTO_SYNC (or the session's own
 * setting), address book changes are upserted into `contacts` as they are stored, without a grab.
 */
@Injectable()
export class ContactsAutoSyncService {
  private readonly logger = new Logger('ContactsAutoSync');

  constructor(
    private readonly config: AppConfig,
    private readonly records: SessionRecords,
    private readonly reader: AddressBookReader,
    private readonly groupRows: GroupRowsBuilder,
    private readonly directory: WaDirectory,
    private readonly lock: SessionWriteLock,
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  @OnEvent(AddressBookStored.Contacts, { promisify: true, suppressErrors: true })
  async onContacts(event: AddressBookStoredEvent): Promise<void> {
    await this.sync(event, async (rows) => {
      const me = this.directory.ownJids(event.sessionId);
      const people = await this.reader.byJids(event.sessionId, event.ids);
      for (const person of new Set(people.values())) {
        if (person.jid !== me.jid) {
          rows.addPerson(person, undefined);
        }
      }
      return [];
    });
  }

  @OnEvent(AddressBookStored.Groups, { promisify: true, suppressErrors: true })
  async onGroups(event: AddressBookStoredEvent): Promise<void> {
    await this.sync(event, async (rows) => {
      const stored = await this.reader.storedGroups(event.sessionId, event.ids);
      const groups: WaGroup[] = stored.map((group) => ({
        id: group.groupId,
        subject: group.subject,
        description: group.description,
        size: group.size,
        owner: group.owner,
        participants: group.participants,
      }));
      const me = this.directory.ownJids(event.sessionId);
      await this.groupRows.add(event.sessionId, groups, me, undefined, rows);
      return groups.map((group) => group.id);
    });
  }

  private async sync(
    event: AddressBookStoredEvent,
    build: (rows: GrabRows) => Promise<string[]>,
  ): Promise<void> {
    if (!(await this.enabled(event.sessionId))) {
      return;
    }
    try {
      await this.lock.run(event.sessionId, async () => {
        const rows = new GrabRows();
        const groupIds = await build(rows);
        const now = new Date();
        const result = await this.dataSource.transaction(async (manager) => {
          const written = await writeContacts(manager, event.sessionId, rows.writes, now);
          if (groupIds.length > 0) {
            await writeMemberships(manager, event.sessionId, groupIds, rows.memberships);
          }
          return written;
        });
        this.events.emit(ContactsSynced, {
          sessionId: event.sessionId,
          contactIds: rows.writes.map((write) => write.contactId),
          saved: result.saved,
          updated: result.updated,
        } satisfies ContactsSyncedEvent);
      });
    } catch (error) {
      this.logger.error(`[${event.sessionId}] auto-sync failed: ${String(error)}`);
    }
  }

  private async enabled(sessionId: string): Promise<boolean> {
    const row = await this.records.find(sessionId);
    return row ? (row.contactsAutoSync ?? this.config.contacts.autoSync) : false;
  }
}
