import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { isJidGroup, type BaileysEventMap, type WASocket } from '@whiskeysockets/baileys';
import {
  AddressBookEvents,
  type ContactsChangedEvent,
  type GroupParticipantsEvent,
  type GroupsChangedEvent,
  type GroupsPatchedEvent,
  type LidMappingsEvent,
  type WaContact,
  type WaLidMapping,
} from '../address-book/address-book-events';
import { lidOf, phoneOf, toWaContact, toWaGroup, toWaParticipant } from './address-book-jids';
import { BaileysSocketHub } from './socket-hub';

const present = <T>(value: T | null): value is T => value !== null;

/** Senders remembered per socket, so a push name repeated on every message is reported once. */
const SENDERS_REMEMBERED = 20_000;

/**
 * Normalizes Baileys' contact, LID-mapping and group events of every session into the engine's
 * address book events (history sync, contacts.upsert/update, lid-mapping.update, push names of
 * incoming messages, groups.upsert/update, group-participants.update).
 */
@Injectable()
export class AddressBookFeed implements OnModuleInit {
  private readonly logger = new Logger('AddressBookFeed');

  constructor(
    private readonly hub: BaileysSocketHub,
    private readonly events: EventEmitter2,
  ) {}

  onModuleInit(): void {
    this.hub.onSocket((sessionId, socket) => this.subscribe(sessionId, socket));
  }

  private subscribe(sessionId: string, socket: WASocket): void {
    // What has been reported of each contact (by JID, the fields told so far): Baileys repeats a
    // sender's push name on every message (messages.upsert and contacts.update); a contact that
    // tells nothing new (every field it has is already known) is not reported again
    const known = new Map<string, Record<string, unknown>>();
    const report = (source: ContactsChangedEvent['source'], contacts: (WaContact | null)[]) => {
      const news = contacts.filter(present).filter((contact) => {
        const before = known.get(contact.jid);
        const told = Object.entries(contact).filter(
          ([, value]) => value !== null && value !== undefined,
        );
        return !before || told.some(([field, value]) => before[field] !== value);
      });
      if (known.size + news.length > SENDERS_REMEMBERED) {
        known.clear();
      }
      for (const contact of news) {
        const merged: Record<string, unknown> = { ...known.get(contact.jid) };
        for (const [field, value] of Object.entries(contact)) {
          if (value !== null && value !== undefined) {
            merged[field] = value;
          }
        }
        known.set(contact.jid, merged);
      }
      this.contacts(sessionId, source, news);
    };
    const on = <K extends keyof BaileysEventMap>(
      event: K,
      handler: (payload: BaileysEventMap[K]) => void,
    ): void => {
      socket.ev.on(event, (payload) => {
        try {
          handler(payload);
        } catch (error) {
          this.logger.error(`[${sessionId}] ${event} could not be normalized: ${String(error)}`);
        }
      });
    };
    on('messaging-history.set', ({ contacts, lidPnMappings }) => {
      this.mappings(
        sessionId,
        (lidPnMappings ?? []).map(({ lid, pn }) => ({ lid, pn })),
      );
      report(
        'history',
        contacts.map((contact) => toWaContact(contact)),
      );
    });
    on('contacts.upsert', (contacts) =>
      report(
        'upsert',
        contacts.map((contact) => toWaContact(contact)),
      ),
    );
    on('contacts.update', (updates) =>
      report(
        'update',
        updates.map((update) => toWaContact(update)),
      ),
    );
    on('lid-mapping.update', (mapping) => this.mappings(sessionId, [mapping]));
    on('messages.upsert', ({ messages }) => {
      const senders = messages
        .filter((message) => !message.key.fromMe && message.pushName)
        .map((message) => {
          const { key } = message;
          const group = isJidGroup(key.remoteJid ?? undefined);
          const sender = group ? key.participant : key.remoteJid;
          const alt = group ? key.participantAlt : key.remoteJidAlt;
          return toWaContact(
            { id: sender ?? undefined, notify: message.pushName ?? undefined },
            alt,
          );
        });
      report('message', senders);
    });
    on('groups.upsert', (groups) =>
      this.emit<GroupsChangedEvent>(AddressBookEvents.GroupsChanged, {
        sessionId,
        groups: groups.map(toWaGroup),
        complete: false,
      }),
    );
    on('groups.update', (updates) => {
      // groupFetchAllParticipating reports whole groups here; changes come as patches
      const whole = updates.filter((update) => Array.isArray(update.participants) && update.id);
      const patches = updates
        .filter((update) => !Array.isArray(update.participants) && update.id)
        .filter((update) => update.subject !== undefined || update.desc !== undefined)
        .map((update) => ({
          id: update.id as string,
          ...(update.subject !== undefined ? { subject: update.subject || null } : {}),
          ...(update.desc !== undefined ? { description: update.desc || null } : {}),
        }));
      if (whole.length > 0) {
        this.emit<GroupsChangedEvent>(AddressBookEvents.GroupsChanged, {
          sessionId,
          groups: whole.map((group) => toWaGroup(group as Parameters<typeof toWaGroup>[0])),
          complete: false,
        });
      }
      if (patches.length > 0) {
        this.emit<GroupsPatchedEvent>(AddressBookEvents.GroupsPatched, { sessionId, patches });
      }
    });
    on('group-participants.update', ({ id, action, participants }) => {
      this.emit<GroupParticipantsEvent>(AddressBookEvents.GroupParticipants, {
        sessionId,
        groupId: id,
        action,
        participants: participants.map(toWaParticipant).filter(present),
      });
    });
  }

  private contacts(
    sessionId: string,
    source: ContactsChangedEvent['source'],
    contacts: WaContact[],
  ): void {
    if (contacts.length > 0) {
      this.emit<ContactsChangedEvent>(AddressBookEvents.ContactsChanged, {
        sessionId,
        contacts,
        source,
      });
    }
  }

  private mappings(sessionId: string, pairs: { lid: string; pn: string }[]): void {
    const mappings: WaLidMapping[] = pairs
      .map(({ lid, pn }) => ({ lid: lidOf(lid), phoneNumber: phoneOf(pn) }))
      .filter((pair): pair is WaLidMapping => pair.lid !== null && pair.phoneNumber !== null);
    if (mappings.length > 0) {
      this.emit<LidMappingsEvent>(AddressBookEvents.LidMappings, { sessionId, mappings });
    }
  }

  private emit<T>(event: string, payload: T): void {
    this.events.emit(event, payload);
  }
}
