import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { LinkOptions, WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import {
  AddressBookStored,
  type AddressBookStoredEvent,
} from '../../src/contacts/address-book/address-book.store';
import { AddressBookContactEntity } from '../../src/contacts/address-book/address-book.entities';
import {
  SessionEvents,
  type SessionConnectedEvent,
  type SessionQrEvent,
} from '../../src/whatsapp/session-events';
import { SessionManager } from '../../src/whatsapp/session-manager';
import { nextSessionEvent } from './gateway-with-sim';
import type { TestApp } from './test-app';

export interface Body<T = Record<string, unknown>> {
  success: boolean;
  message: string;
  data: T;
  meta?: { page: number; per_page: number; total: number; last_page: number };
  count?: number;
  errors?: { field: string; messages: string[] }[];
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<Body<T>> {
  return (await response.json()) as Body<T>;
}

/** Everyone the linked account knows (its contacts and its groups' members), itself excluded. */
export function peopleOf(linked: LinkInfo): Map<string, { pn: string; name: string; lid: string }> {
  const people = new Map<string, { pn: string; name: string; lid: string }>();
  for (const contact of linked.contacts) {
    people.set(contact.jid, contact);
  }
  for (const group of linked.groups) {
    for (const participant of group.participants) {
      if (participant.pn !== linked.phone) {
        people.set(participant.jid, participant);
      }
    }
  }
  return people;
}

/**
 * Resolves once the session's address book rows satisfy `predicate` (checked now and after each
 * stored batch).
 */
export async function addressBookHas(
  gateway: TestApp,
  sessionId: string,
  predicate: (rows: AddressBookContactEntity[]) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const repository = gateway.app.get(DataSource).getRepository(AddressBookContactEntity);
  const events = gateway.app.get(EventEmitter2);
  const enough = async (): Promise<boolean> => predicate(await repository.findBy({ sessionId }));
  const listener = (event: AddressBookStoredEvent): void => {
    if (event.sessionId === sessionId) {
      check();
    }
  };
  let check: () => void = () => undefined;
  const reached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(AddressBookStored.Contacts, listener);
      void repository
        .findBy({ sessionId })
        .then((rows) =>
          reject(
            new Error(
              `the address book of ${sessionId} did not reach the expected state: ${JSON.stringify(rows.map(({ jid, lid, name, notify }) => ({ jid, lid, name, notify })))}`,
            ),
          ),
        );
    }, timeoutMs);
    check = () =>
      void enough().then((done) => {
        if (done) {
          clearTimeout(timer);
          events.off(AddressBookStored.Contacts, listener);
          resolve();
        }
      });
  });
  events.on(AddressBookStored.Contacts, listener);
  check();
  return reached;
}

/** Resolves once the session's address book holds at least `count` people. */
export function addressBookHolds(
  gateway: TestApp,
  sessionId: string,
  count: number,
): Promise<void> {
  return addressBookHas(gateway, sessionId, (rows) => rows.length >= count);
}

/**
 * Creates a session, lets the simulated phone scan its QR, and waits until it is connected and
 * its history sync (contacts, push names, LID mappings) is in the address book.
 */
export async function linkSession(
  gateway: TestApp,
  sim: WaSimulator,
  sessionId: string,
  options: LinkOptions & { sessionName?: string } = {},
): Promise<LinkInfo> {
  const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, sessionId);
  const connected = nextSessionEvent<SessionConnectedEvent>(
    gateway,
    SessionEvents.Connected,
    sessionId,
  );
  const created = await gateway.post('/sessions', { sessionId, name: options.sessionName });
  if (created.status !== 201) {
    throw new Error(`session ${sessionId} not created: ${created.status}`);
  }
  const linked = await sim.scan((await qr).qr, options);
  await connected;
  if (options.historySync !== false) {
    // Contacts come first, their push names in a second history sync chunk
    const people = peopleOf(linked);
    await addressBookHas(
      gateway,
      sessionId,
      (rows) =>
        rows.filter((row) => people.has(row.jid) && row.notify !== null).length === people.size,
    );
  }
  return linked;
}

/** Resolves once the session runs connected in this gateway (at once if it already does). */
export async function sessionConnected(gateway: TestApp, sessionId: string): Promise<void> {
  const event = nextSessionEvent<SessionConnectedEvent>(
    gateway,
    SessionEvents.Connected,
    sessionId,
  );
  if (gateway.app.get(SessionManager).get(sessionId)?.state === 'connected') {
    event.catch(() => undefined);
    return;
  }
  await event;
}
