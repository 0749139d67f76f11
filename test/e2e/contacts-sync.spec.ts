import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import {
  AddressBookEvents,
  type ContactsChangedEvent,
} from '../../src/whatsapp/address-book/address-book-events';
import { MessageEvents, type MessagesUpsertedEvent } from '../../src/whatsapp/message-events';
import { SessionEvents, type SessionQrEvent } from '../../src/whatsapp/session-events';
import type { WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import { AddressBookContactEntity } from '../../src/contacts/address-book/address-book.entities';
import { AddressBookStore } from '../../src/contacts/address-book/address-book.store';
import { ContactEntity } from '../../src/contacts/contact.entity';
import { GroupParticipantEntity } from '../../src/contacts/group-participant.entity';
import { GrabEvents, type GrabCompletedEvent } from '../../src/contacts/grab/grab-events';
import {
  ContactsSynced,
  type ContactsSyncedEvent,
} from '../../src/contacts/sync/contacts-auto-sync.service';
import { addressBookHas, json, linkSession, peopleOf, sessionConnected } from '../support/contacts';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { nextEmitted } from '../support/next-emitted';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase, testTier } from '../support/test-database';

type Row = Record<string, unknown>;
interface GrabBody {
  contacts: Row[];
  groups: Row[];
  saved_count: number;
  updated_count: number;
  grabbed_at: string;
  errors: unknown[];
}

describe(`address book: LIDs, pictures, restarts, auto-sync, timeouts (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let linked: LinkInfo;
  const SESSION = 'sync-1';

  beforeAll(async () => {
    // The control API serves the profile pictures the simulator hands out
    ({ sim, untrust } = await startSimulator({ http: true }));
    db = await createTestDatabase();
    gateway = await startGateway(sim, {}, db);
    linked = await linkSession(gateway, sim, SESSION, { contacts: 4, groups: 2 });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  const grab = async (path: string) => {
    const response = await gateway.request(`/api/sessions/${SESSION}/${path}`);
    return { status: response.status, body: (await json<GrabBody>(response)).data };
  };
  const contacts = () => gateway.app.get(DataSource).getRepository(ContactEntity);
  const book = () => gateway.app.get(DataSource).getRepository(AddressBookContactEntity);

  it('keeps a LID as contact_id when no phone is known, and uses the phone JID when the mapping is', async () => {
    const { lidOnly } = await sim.account(linked.phone).syncAddressBook({
      lidOnly: [
        { name: 'Lid Without', withMapping: false },
        { name: 'Lid With', withMapping: true },
      ],
    });
    const [without, withMapping] = lidOnly;
    await addressBookHas(gateway, SESSION, (rows) =>
      [without.lid, withMapping.jid].every((jid) =>
        rows.some((row) => row.jid === jid && row.notify !== null),
      ),
    );
    const { body } = await grab('grab-contacts');
    expect(body.contacts.find((item) => item.name === 'Lid Without')).toEqual({
      id: without.lid,
      name: 'Lid Without',
      phone: null,
      pushname: 'Lid Without',
      is_admin: false,
      profile_picture: null,
    });
    expect(body.contacts.find((item) => item.name === 'Lid With')).toMatchObject({
      id: withMapping.jid,
      phone: withMapping.pn,
    });
    // One person, one row: never a second one under the LID
    expect(await book().countBy({ sessionId: SESSION, lid: withMapping.lid })).toBe(1);
    expect(await contacts().countBy({ sessionId: SESSION, contactId: withMapping.lid })).toBe(0);
    expect(
      await contacts().findOneByOrFail({ sessionId: SESSION, contactId: without.lid }),
    ).toMatchObject({ phoneNumber: null, name: 'Lid Without' });

    // The LID-only person writes, addressed by LID with the phone number: one contact again
    await sim.account(linked.phone).sendText(without.lid, 'it is me', { addressing: 'lid' });
    await addressBookHas(gateway, SESSION, (rows) =>
      rows.some((row) => row.jid === without.jid && row.lid === without.lid),
    );
    expect(await book().countBy({ sessionId: SESSION, jid: without.lid })).toBe(0);
    const again = await grab('grab-contacts');
    expect(again.body).toMatchObject({ saved_count: 0, updated_count: 1 });
    expect(again.body.contacts.find((item) => item.id === without.jid)).toMatchObject({
      phone: without.pn,
      name: 'Lid Without',
    });
    expect(await contacts().countBy({ sessionId: SESSION, contactId: without.lid })).toBe(0);
    expect(
      await contacts().findOneByOrFail({ sessionId: SESSION, contactId: without.jid }),
    ).toMatchObject({ phoneNumber: without.pn });
  });

  it('keeps one contact, with its LID, for a person known by both phone JID and LID', async () => {
    // History sync taught this contact by phone JID with its LID
    const person = linked.contacts[linked.contacts.length - 1];
    const phone = sim.account(linked.phone);
    const bookRows = async () =>
      (await book().findBy({ sessionId: SESSION })).filter(
        (row) => row.jid === person.jid || row.jid === person.lid || row.lid === person.lid,
      );
    expect((await bookRows()).map(({ jid, lid }) => ({ jid, lid }))).toEqual([
      { jid: person.jid, lid: person.lid },
    ]);
    // Baileys reports the sender of a LID-addressed message by LID (contacts.update with the
    // LID alone), then by phone JID without the LID: both merge into the one row, LID kept
    const told = (what: (contact: ContactsChangedEvent['contacts'][number]) => boolean) =>
      nextEmitted<ContactsChangedEvent>(
        gateway.app.get(EventEmitter2),
        AddressBookEvents.ContactsChanged,
        (event) => event.sessionId === SESSION && event.contacts.some(what),
        20_000,
      );
    const store = gateway.app.get(AddressBookStore);
    const byLid = told((contact) => contact.jid === person.lid && contact.phoneNumber === null);
    await phone.sendText(person.lid, 'by lid', { addressing: 'lid' });
    await byLid;
    await store.flushed(SESSION);
    // (by phone JID it tells nothing the address book lacks, so it may not be reported at all)
    const byPhone = nextEmitted<MessagesUpsertedEvent>(
      gateway.app.get(EventEmitter2),
      MessageEvents.Upserted,
      (event) => event.sessionId === SESSION && event.messages.some((m) => m.text === 'by phone'),
      20_000,
    );
    await phone.sendText(person.pn, 'by phone', { addressing: 'pn' });
    await byPhone;
    await store.flushed(SESSION);
    expect((await bookRows()).map(({ jid, lid }) => ({ jid, lid }))).toEqual([
      { jid: person.jid, lid: person.lid },
    ]);

    const { body } = await grab('grab-contacts');
    expect(
      body.contacts.filter((item) => item.id === person.jid || item.id === person.lid),
    ).toEqual([expect.objectContaining({ id: person.jid, phone: person.pn })]);
    expect(await contacts().countBy({ sessionId: SESSION, contactId: person.lid })).toBe(0);
    expect(await contacts().countBy({ sessionId: SESSION, contactId: person.jid })).toBe(1);
    // The grab resolved nothing away: the address book still knows the LID
    expect((await bookRows()).map(({ jid, lid }) => ({ jid, lid }))).toEqual([
      { jid: person.jid, lid: person.lid },
    ]);
  });

  it('stores names longer than their columns cut to them, with the rest of the batch', async () => {
    const [person, other] = [linked.contacts[2], linked.contacts[3]];
    const [name, pushName] = ['N'.repeat(300), 'P'.repeat(300)];
    await sim.account(linked.phone).syncAddressBook({
      rename: [
        { pn: person.pn, name, pushName },
        { pn: other.pn, name: 'Short Name', pushName: 'Shorty' },
      ],
    });
    await addressBookHas(gateway, SESSION, (rows) =>
      rows.some((row) => row.jid === other.jid && row.notify === 'Shorty'),
    );
    const [row] = await book().findBy({ sessionId: SESSION, jid: person.jid });
    expect(row).toMatchObject({ name: name.slice(0, 255), notify: pushName.slice(0, 255) });
    // the phone's names again, for the tests after this one
    await sim.account(linked.phone).syncAddressBook({
      rename: [person, other].map((contact) => ({ pn: contact.pn, name: contact.name })),
    });
    await addressBookHas(gateway, SESSION, (rows) =>
      [person, other].every((contact) =>
        rows.some((book) => book.jid === contact.jid && book.name === contact.name),
      ),
    );
  });

  it('writes a push name repeated on every message once', async () => {
    const person = linked.contacts[0];
    const phone = sim.account(linked.phone);
    const bus = gateway.app.get(EventEmitter2);
    const reported: ContactsChangedEvent[] = [];
    const listener = (event: ContactsChangedEvent) => {
      if (event.sessionId === SESSION) {
        reported.push(event);
      }
    };
    const ofPerson = () =>
      reported.flatMap((event) => event.contacts.filter((contact) => contact.jid === person.jid))
        .length;
    let afterFirst = 0;
    bus.on(AddressBookEvents.ContactsChanged, listener);
    try {
      for (const text of ['first of three', 'second of three', 'third of three']) {
        const upserted = nextEmitted<MessagesUpsertedEvent>(
          gateway.app.get(EventEmitter2),
          MessageEvents.Upserted,
          (event) => event.sessionId === SESSION && event.messages.some((m) => m.text === text),
          20_000,
        );
        await phone.sendText(person.pn, text, { addressing: 'pn' });
        await upserted;
        afterFirst ||= ofPerson();
      }
    } finally {
      bus.off(AddressBookEvents.ContactsChanged, listener);
    }
    // the first message may teach something (its push name); the next two the same again
    expect(ofPerson()).toBe(afterFirst);
    expect(afterFirst).toBeLessThanOrEqual(2);
  });

  it('fetches profile pictures when asked: long signed URLs, stored whole', async () => {
    const { status, body } = await grab('grab-all?with_pictures=true');
    expect(status).toBe(200);
    expect(body.errors).toEqual([]);
    const urls = [...body.groups, ...body.contacts].map((item) => item.profile_picture as string);
    expect(urls.every((url) => typeof url === 'string' && url.length > 255)).toBe(true);
    // Every row whose picture was fetched changed once
    expect(body.saved_count + body.updated_count).toBeGreaterThanOrEqual(urls.length);
    const group = body.groups[0];
    expect(
      (await contacts().findOneByOrFail({ sessionId: SESSION, contactId: String(group.id) }))
        .profilePicture,
    ).toBe(group.profile_picture);
    const picture = await fetch(String(group.profile_picture));
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    // Without with_pictures the stored pictures are left alone
    const plain = await grab('grab-all');
    expect(plain.body).toMatchObject({ saved_count: 0, updated_count: 0 });
  });

  it('reports a profile picture that fails in errors, and the grab still completes', async () => {
    const failingGroup = linked.groups[0].id;
    const [failingContact, hiddenContact] = [...peopleOf(linked).keys()];
    // 500 is a failure; 404 (no picture) is not, it is a contact without a picture
    sim.failPictures([failingGroup, failingContact], 500);
    sim.failPictures([hiddenContact], 404);
    try {
      const { status, body } = await grab('grab-all?with_pictures=true');
      expect(status).toBe(200);
      expect(body.errors).toHaveLength(2);
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { id: failingGroup, error: expect.stringMatching(/^profile picture: /) },
          { id: failingContact, error: expect.stringMatching(/^profile picture: /) },
        ]),
      );
      // Every item is still grabbed and answered; only the failed ones lack their picture
      expect(body.groups).toHaveLength(linked.groups.length);
      expect(body.contacts.map((item) => item.id)).toEqual(
        expect.arrayContaining([failingContact, hiddenContact]),
      );
      const pictureOf = (id: string) =>
        [...body.groups, ...body.contacts].find((item) => item.id === id)?.profile_picture;
      expect(pictureOf(failingGroup)).toBeNull();
      expect(pictureOf(failingContact)).toBeNull();
      expect(pictureOf(hiddenContact)).toBeNull();
      const others = [...body.groups, ...body.contacts].filter(
        (item) => ![failingGroup, failingContact, hiddenContact].includes(String(item.id)),
      );
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((item) => String(item.profile_picture).length > 255)).toBe(true);
      // The picture that vanished (404) is cleared; a failed fetch leaves the stored one alone
      // (URLs are signed per hour: at an hour boundary the others change too)
      expect(body.updated_count).toBeGreaterThanOrEqual(1);
      const stored = async (id: string) =>
        (await contacts().findOneByOrFail({ sessionId: SESSION, contactId: id })).profilePicture;
      expect(await stored(hiddenContact)).toBeNull();
      expect(String(await stored(failingGroup)).length).toBeGreaterThan(255);
      expect(String(await stored(failingContact)).length).toBeGreaterThan(255);
    } finally {
      sim.failPictures([failingGroup, failingContact, hiddenContact], null);
    }
  });

  it('joins two identical grabs running at once: one grab, one result', async () => {
    const events = gateway.app.get(EventEmitter2);
    const completed: GrabCompletedEvent[] = [];
    const listener = (event: GrabCompletedEvent): void => {
      completed.push(event);
    };
    events.on(GrabEvents.Completed, listener);
    try {
      const [first, second] = await Promise.all([grab('grab-all'), grab('grab-all')]);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.grabbed_at).toBe(first.body.grabbed_at);
      expect(completed.filter((event) => event.sessionId === SESSION)).toHaveLength(1);
    } finally {
      events.off(GrabEvents.Completed, listener);
    }
  });

  it('writes contacts learnt by the address book without a grab when the session asks for auto-sync', async () => {
    const patched = await gateway.request(`/sessions/${SESSION}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contactsAutoSync: true }),
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).data).toMatchObject({
      sessionId: SESSION,
      contactsAutoSync: true,
    });
    const synced = nextEmitted<ContactsSyncedEvent>(
      gateway.app.get(EventEmitter2),
      ContactsSynced,
      (event) => event.sessionId === SESSION && event.saved > 0,
      20_000,
    );
    const { added } = await sim.account(linked.phone).syncAddressBook({ add: ['Auto Person'] });
    expect((await synced).contactIds).toContain(added[0].jid);
    expect(
      await contacts().findOneByOrFail({ sessionId: SESSION, contactId: added[0].jid }),
    ).toMatchObject({ name: 'Auto Person', phoneNumber: added[0].pn, type: 'individual' });
  });

  it('auto-syncs group changes: a member added in the simulator gets its membership row', async () => {
    const group = linked.groups[0];
    const admin = group.participants.find((p) => p.admin === 'superadmin')!;
    const newcomer = linked.contacts.find(
      (contact) => !group.participants.some((p) => p.jid === contact.jid),
    )!;
    const synced = nextEmitted<ContactsSyncedEvent>(
      gateway.app.get(EventEmitter2),
      ContactsSynced,
      (event) => event.sessionId === SESSION && event.contactIds.includes(group.id),
      20_000,
    );
    sim.account(linked.phone).changeGroup(group.id, { by: admin.pn, add: [newcomer.pn] });
    await synced;
    const members = gateway.app.get(DataSource).getRepository(GroupParticipantEntity);
    expect(
      await members.findOneByOrFail({
        sessionId: SESSION,
        groupId: group.id,
        contactId: newcomer.jid,
      }),
    ).toMatchObject({ isAdmin: false, phoneNumber: newcomer.pn });
    expect(
      await contacts().findOneByOrFail({ sessionId: SESSION, contactId: group.id }),
    ).toMatchObject({ groupParticipantsCount: group.participants.length + 1 });
  });

  it('keeps a history sync that arrived just before a shutdown, after the restart', async () => {
    const BURST = 'sync-burst';
    const COUNT = 5000; // ten batches of 500
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, BURST);
    // Shut down the moment the history sync is queued (SIGTERM does the same app.close()): the
    // close starts before the first batch is written, so without the flush before the database
    // closes the batches still queued are lost (MySQL; better-sqlite3 writes synchronously, so
    // there the queue drains in one go before the close gets further)
    const events = gateway.app.get(EventEmitter2);
    const closing = new Promise<{ received: ContactsChangedEvent; closed: Promise<void> }>(
      (resolve) => {
        const listener = (event: ContactsChangedEvent): void => {
          if (
            event.sessionId === BURST &&
            event.source === 'history' &&
            event.contacts.length >= COUNT
          ) {
            events.off(AddressBookEvents.ContactsChanged, listener);
            resolve({ received: event, closed: gateway.close() });
          }
        };
        events.on(AddressBookEvents.ContactsChanged, listener);
      },
    );
    expect((await gateway.post('/sessions', { sessionId: BURST })).status).toBe(201);
    const [burst, { received, closed }] = await Promise.all([
      sim.scan((await qr).qr, { contacts: COUNT, groups: 0 }),
      closing,
    ]);
    await closed;
    gateway = await startGateway(sim, {}, db);
    const stored = await book().findBy({ sessionId: BURST });
    const jids = new Set(stored.map((row) => row.jid));
    expect(received.contacts.every((contact) => jids.has(contact.jid))).toBe(true);
    expect(burst.contacts.every((contact) => jids.has(contact.jid))).toBe(true);
  }, 60_000);

  it('keeps what history sync taught across a gateway restart, and auto-syncs from CONTACTS_AUTO_SYNC', async () => {
    await gateway.close();
    const reconnected = new Promise<void>((resolve) => {
      const off = sim.on('ready', (event) => {
        if (event.phone === linked.phone) {
          off();
          resolve();
        }
      });
    });
    gateway = await startGateway(sim, { CONTACTS_AUTO_SYNC: 'true', GRAB_TIMEOUT_MS: '1' }, db);
    await reconnected;
    await sessionConnected(gateway, SESSION);
    // No history sync this time (the phone sends it once): the address book is all there is
    const response = await gateway.request(`/sessions/${SESSION}/contacts`);
    expect(response.status).toBe(200);
    const listed = await json<Row[]>(response);
    for (const [jid, person] of peopleOf(linked)) {
      expect(listed.data.find((item) => item.id === jid)).toMatchObject({ name: person.name });
    }

    // The per-session setting was cleared: the global one applies
    await gateway.request(`/sessions/${SESSION}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contactsAutoSync: null }),
    });
    const synced = nextEmitted<ContactsSyncedEvent>(
      gateway.app.get(EventEmitter2),
      ContactsSynced,
      (event) => event.sessionId === SESSION && event.saved > 0,
      20_000,
    );
    const { added } = await sim.account(linked.phone).syncAddressBook({ add: ['Global Person'] });
    expect((await synced).contactIds).toContain(added[0].jid);
  });

  it('answers 504 when a grab outlives GRAB_TIMEOUT_MS, and keeps what it saves', async () => {
    await gateway.request(`/api/sessions/${SESSION}/contacts`, { method: 'DELETE' });
    const completed = nextEmitted<GrabCompletedEvent>(
      gateway.app.get(EventEmitter2),
      GrabEvents.Completed,
      (event) => event.sessionId === SESSION,
      20_000,
    );
    const response = await gateway.request(`/api/sessions/${SESSION}/grab-groups`);
    expect(response.status).toBe(504);
    expect(await json(response)).toMatchObject({
      success: false,
      message: expect.stringMatching(/^The grab did not finish within 1 ms/),
    });
    const done = await completed;
    expect(done.savedCount).toBeGreaterThan(0);
    expect(await contacts().countBy({ sessionId: SESSION, type: 'group' })).toBe(
      linked.groups.length,
    );
  });
});
