import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { EventOutbox } from '../../whatsapp/events/event-outbox';
import type { WaGroup } from '../../whatsapp/address-book/address-book-events';
import { WaDirectory } from '../../whatsapp/address-book/wa-directory';
import type { WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';
import { AddressBookReader } from '../address-book/address-book.reader';
import type { KnownPerson } from '../address-book/known-person';
import { GrabTimedOut, WhatsappUnavailable } from '../contacts-errors';
import { readStoredContacts, writeContacts } from '../storage/contact-writer';
import { readStoredMemberships, writeMemberships } from '../storage/membership-writer';
import { ConnectedSession } from './connected-session';
import {
  GrabEvents,
  type GrabCompletedEvent,
  type GrabPhase,
  type GrabProgressEvent,
} from './grab-events';
import { contactView, GrabRows, type Pictures } from './grab-rows';
import { GroupRowsBuilder } from './group-rows.builder';
import type { GrabData, GrabError, GrabScope } from './grab-types';
import { fetchPictures } from './profile-pictures';
import { SessionWriteLock } from './session-write-lock';

export interface GrabOptions {
  withPictures: boolean;
}

/**
 * Grabs a connected session's groups (live from WhatsApp) and contacts (its address book) into
 * `contacts`, in one transaction with exact saved/updated counts. One grab per session runs at a
 * time: an identical request joins the running one, another waits for it.
 */
@Injectable()
export class ContactsGrabberService {
  private readonly logger = new Logger('ContactsGrabber');
  private readonly running = new Map<string, Promise<GrabData>>();

  constructor(
    private readonly sessions: ConnectedSession,
    private readonly directory: WaDirectory,
    private readonly reader: AddressBookReader,
    private readonly groupRows: GroupRowsBuilder,
    private readonly lock: SessionWriteLock,
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
  ) {}

  async grab(sessionId: string, scope: GrabScope, options: GrabOptions): Promise<GrabData> {
    const session = await this.sessions.connected(sessionId);
    const key = `${sessionId}\n${scope}\n${options.withPictures}`;
    let grab = this.running.get(key);
    if (!grab) {
      grab = this.lock.run(sessionId, () => {
        this.sessions.assertConnected(session);
        return this.run(session, scope, options);
      });
      this.running.set(key, grab);
      grab
        .catch((error: unknown) => {
          this.logger.warn(`[${sessionId}] grab of ${scope} failed: ${String(error)}`);
        })
        .finally(() => this.running.delete(key))
        .catch(() => undefined);
    }
    return this.withinTimeout(grab);
  }

  private async run(
    session: WhatsappSessionEntity,
    scope: GrabScope,
    options: GrabOptions,
  ): Promise<GrabData> {
    const { sessionId } = session;
    const grabbedAt = new Date();
    const started = performance.now();
    const errors: GrabError[] = [];
    const me = this.directory.ownJids(sessionId);
    this.progress(sessionId, 'fetching', 0, 1);
    const timed = async <T>(work: Promise<T>): Promise<[T, number]> => {
      const result = await work;
      return [result, Math.round(performance.now() - started)];
    };
    // What is stored is read once, while WhatsApp answers (the session write lock is held, so
    // nothing else writes these rows until the grab commits)
    const storedRows = Promise.all([
      readStoredContacts(this.dataSource.manager, sessionId),
      scope === 'contacts'
        ? Promise.resolve(undefined)
        : readStoredMemberships(this.dataSource.manager, sessionId),
    ]);
    storedRows.catch(() => undefined);
    const [[groups, groupsMs], [people, peopleMs]] = await Promise.all([
      timed(scope === 'contacts' ? Promise.resolve([]) : this.fetchGroups(sessionId)),
      timed(
        scope === 'groups'
          ? Promise.resolve([])
          : this.reader
              .people(sessionId, true)
              .then((all) => all.filter((person) => !isMeJid(person, me))),
      ),
    ]);
    this.progress(sessionId, 'fetching', 1, 1);

    const pictures = options.withPictures
      ? await this.pictures(
          sessionId,
          [...groups.map((group) => group.id), ...people.map((person) => person.jid)],
          errors,
        )
      : undefined;

    const rows = new GrabRows();
    const groupViews = await this.groupRows.add(
      sessionId,
      groups,
      me,
      pictures,
      rows,
      scope === 'all' ? people : undefined,
    );
    for (const person of people) {
      rows.addPerson(person, pictures);
    }
    const writes = rows.writes;
    const [storedContacts, storedMemberships] = await storedRows;
    const fetched = performance.now();
    this.progress(sessionId, 'saving', 0, writes.length);
    const counts = await this.dataSource.transaction(async (manager) => {
      const written = await writeContacts(
        manager,
        sessionId,
        writes,
        grabbedAt,
        (done) => this.progress(sessionId, 'saving', done, writes.length),
        storedContacts,
      );
      if (scope !== 'contacts') {
        await writeMemberships(
          manager,
          sessionId,
          groups.map((group) => group.id),
          rows.memberships,
          storedMemberships,
        );
      }
      errors.push(...written.failed);
      await this.outbox.record(manager, [
        {
          kind: 'grab_completed',
          sessionId,
          scope,
          totalGroups: groups.length,
          totalContacts: people.length,
          savedCount: written.saved,
          updatedCount: written.updated,
          at: grabbedAt,
        },
      ]);
      return written;
    });
    const saved = performance.now();
    this.logger.log(
      `[${sessionId}] grab of ${scope}: ${writes.length} rows, ${rows.memberships.length} memberships; ` +
        `fetch ${Math.round(fetched - started)} ms (groups ${groupsMs}, address book ${peopleMs}), ` +
        `database ${Math.round(saved - fetched)} ms; ` +
        `${counts.saved} saved, ${counts.updated} updated, ${errors.length} errors`,
    );
    this.events.emit(GrabEvents.Completed, {
      sessionId,
      scope,
      totalGroups: groups.length,
      totalContacts: people.length,
      savedCount: counts.saved,
      updatedCount: counts.updated,
      errors: errors.length,
      grabbedAt,
    } satisfies GrabCompletedEvent);
    return {
      session_id: sessionId,
      session_name: session.name,
      ...(scope !== 'contacts' ? { total_groups: groups.length } : {}),
      ...(scope !== 'groups' ? { total_contacts: people.length } : {}),
      ...(scope !== 'contacts' ? { groups: groupViews } : {}),
      ...(scope !== 'groups'
        ? { contacts: people.map((person) => contactView(person, pictures)) }
        : {}),
      saved_count: counts.saved,
      updated_count: counts.updated,
      grabbed_at: grabbedAt.toISOString(),
      errors,
    };
  }

  private async fetchGroups(sessionId: string): Promise<WaGroup[]> {
    let groups: WaGroup[];
    try {
      groups = await this.directory.fetchGroups(sessionId);
    } catch (error) {
      throw new WhatsappUnavailable(
        `groups: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return [...groups].sort((a, b) => a.id.localeCompare(b.id));
  }

  private async pictures(
    sessionId: string,
    jids: string[],
    errors: GrabError[],
  ): Promise<Pictures> {
    const { concurrency, timeoutMs } = {
      concurrency: this.config.contacts.pictureConcurrency,
      timeoutMs: this.config.contacts.pictureTimeoutMs,
    };
    this.progress(sessionId, 'pictures', 0, jids.length);
    const result = await fetchPictures(this.directory, sessionId, jids, {
      concurrency,
      timeoutMs,
      onProgress: (done) => this.progress(sessionId, 'pictures', done, jids.length),
    });
    errors.push(...result.failed);
    return result.pictures;
  }

  private progress(sessionId: string, phase: GrabPhase, done: number, total: number): void {
    // Every row would flood the room: report phase starts, ends and every 1,000th item
    if (done === 0 || done === total || done % 1000 === 0) {
      this.events.emit(GrabEvents.Progress, {
        sessionId,
        phase,
        done,
        total,
      } satisfies GrabProgressEvent);
    }
  }

  private withinTimeout(grab: Promise<GrabData>): Promise<GrabData> {
    const timeoutMs = this.config.contacts.grabTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GrabTimedOut(timeoutMs)), timeoutMs);
    });
    return Promise.race([grab, timeout]).finally(() => clearTimeout(timer));
  }
}

function isMeJid(person: KnownPerson, me: { jid: string | null; lid: string | null }): boolean {
  return person.jid === me.jid || (person.lid !== null && person.lid === me.lid);
}
