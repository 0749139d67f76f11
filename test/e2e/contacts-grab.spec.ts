import { DataSource } from 'typeorm';
import type { WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import { ContactEntity } from '../../src/contacts/contact.entity';
import { GroupParticipantEntity } from '../../src/contacts/group-participant.entity';
import { addressBookHas, json, linkSession, peopleOf } from '../support/contacts';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

interface GrabBody {
  session_id: string;
  session_name: string | null;
  total_groups?: number;
  total_contacts?: number;
  groups?: Record<string, unknown>[];
  contacts?: Record<string, unknown>[];
  saved_count: number;
  updated_count: number;
  grabbed_at: string;
  errors: unknown[];
}

const GROUP_ITEM_KEYS = ['id', 'name', 'desc', 'participants_count', 'is_admin', 'profile_picture'];
const CONTACT_ITEM_KEYS = ['id', 'name', 'phone', 'pushname', 'is_admin', 'profile_picture'];

describe(`contact grabber against the simulator (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let linked: LinkInfo;
  const SESSION = 'grab-1';

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
    // 6 contacts, 3 groups of 4 (the account + 3): group 0 and 2 share contacts 0-2
    linked = await linkSession(gateway, sim, SESSION, {
      sessionName: 'Sales',
      name: 'Ada',
      contacts: 6,
      groups: 3,
      participantsPerGroup: 4,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  const grab = async (path: string) => {
    const response = await gateway.request(`/api/sessions/${SESSION}/${path}`);
    return { status: response.status, body: await json<GrabBody>(response) };
  };
  const rows = () => gateway.app.get(DataSource).getRepository(ContactEntity);
  const memberships = () => gateway.app.get(DataSource).getRepository(GroupParticipantEntity);
  const participantIds = () =>
    new Set(
      linked.groups.flatMap((group) =>
        group.participants.filter((p) => p.pn !== linked.phone).map((p) => p.jid),
      ),
    );

  it('grab-groups answers with 000 shape, saves groups and participants, and reports progress', async () => {
    const socket = await connectSocket(gateway.url, { auth: { token: gateway.apiKey } });
    try {
      await emitWithAck(socket, 'subscribe', { sessionId: SESSION });
      const completed = nextEvent<Record<string, unknown>>(socket, 'grab_completed');
      const progress = nextEvent<Record<string, unknown>>(
        socket,
        'grab_progress',
        (event) => event.phase === 'saving' && event.done === event.total,
      );
      const { status, body } = await grab('grab-groups');
      expect(status).toBe(200);
      expect(body.success).toBe(true);
      expect(body.message).toBe('Kontak grup berhasil diambil dan disimpan');
      expect(Object.keys(body.data).sort()).toEqual(
        [
          'session_id',
          'session_name',
          'total_groups',
          'groups',
          'saved_count',
          'updated_count',
          'grabbed_at',
          'errors',
        ].sort(),
      );
      const expectedSaved = linked.groups.length + participantIds().size;
      expect(body.data).toMatchObject({
        session_id: SESSION,
        session_name: 'Sales',
        total_groups: 3,
        saved_count: expectedSaved,
        updated_count: 0,
        errors: [],
      });
      expect(new Date(body.data.grabbed_at).toISOString()).toBe(body.data.grabbed_at);
      const groups = body.data.groups ?? [];
      for (const group of groups) {
        expect(Object.keys(group).sort()).toEqual([...GROUP_ITEM_KEYS].sort());
      }
      expect([...groups].sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
        [...linked.groups]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((group) => ({
            id: group.id,
            name: group.subject,
            desc: group.description ?? null,
            participants_count: group.participants.length,
            is_admin: group.accountRole !== null,
            profile_picture: null,
          })),
      );
      expect(await progress).toMatchObject({ sessionId: SESSION, total: expectedSaved });
      expect(await completed).toMatchObject({
        sessionId: SESSION,
        scope: 'groups',
        totalGroups: 3,
        savedCount: expectedSaved,
        updatedCount: 0,
      });
    } finally {
      socket.close();
    }

    const owned = linked.groups.find((group) => group.accountRole === 'superadmin');
    const member = linked.groups.find((group) => group.accountRole === null);
    expect(
      await rows().findOneByOrFail({ sessionId: SESSION, contactId: owned!.id }),
    ).toMatchObject({
      type: 'group',
      name: owned!.subject,
      groupName: owned!.subject,
      groupDescription: owned!.description,
      groupParticipantsCount: 4,
      isAdmin: true,
      phoneNumber: null,
      status: 'active',
    });
    expect(
      await rows().findOneByOrFail({ sessionId: SESSION, contactId: member!.id }),
    ).toMatchObject({ type: 'group', isAdmin: false });
    const someone = member!.participants.find((p) => p.pn !== linked.phone)!;
    expect(
      await rows().findOneByOrFail({ sessionId: SESSION, contactId: someone.jid }),
    ).toMatchObject({
      type: 'individual',
      phoneNumber: someone.pn,
      name: someone.name,
      groupId: expect.stringMatching(/@g\.us$/),
    });
    // The account itself is no contact of its own
    expect(await rows().countBy({ sessionId: SESSION, phoneNumber: linked.phone })).toBe(0);
  });

  it('a second grab-groups changes nothing and reports 0 saved, 0 updated', async () => {
    const before = await rows().find({ where: { sessionId: SESSION }, order: { id: 'ASC' } });
    const { body } = await grab('grab-groups');
    expect(body.data).toMatchObject({ total_groups: 3, saved_count: 0, updated_count: 0 });
    const after = await rows().find({ where: { sessionId: SESSION }, order: { id: 'ASC' } });
    expect(after.map((row) => [row.contactId, row.updatedAt?.getTime()])).toEqual(
      before.map((row) => [row.contactId, row.updatedAt?.getTime()]),
    );
  });

  it('keeps every membership of a contact who is in two groups', async () => {
    const inTwo = linked.contacts.find(
      (contact) =>
        linked.groups.filter((group) => group.participants.some((p) => p.jid === contact.jid))
          .length === 2,
    )!;
    expect(inTwo).toBeDefined();
    const stored = await memberships().find({
      where: { sessionId: SESSION, contactId: inTwo.jid },
      order: { groupId: 'ASC' },
    });
    expect(stored.map((row) => row.groupId)).toEqual(
      linked.groups
        .filter((group) => group.participants.some((p) => p.jid === inTwo.jid))
        .map((group) => group.id)
        .sort(),
    );
    expect(await rows().countBy({ sessionId: SESSION, contactId: inTwo.jid })).toBe(1);

    const group = linked.groups[0];
    const response = await gateway.request(
      `/api/sessions/${SESSION}/groups/${encodeURIComponent(group.id)}/participants`,
    );
    expect(response.status).toBe(200);
    const body = await json<{
      group_id: string;
      group_name: string;
      total_participants: number;
      participants: Record<string, unknown>[];
    }>(response);
    expect(body.message).toBe('Group participants retrieved successfully');
    expect(body.data).toMatchObject({
      group_id: group.id,
      group_name: group.subject,
      total_participants: 3,
    });
    expect(body.meta).toEqual({ page: 1, per_page: 50, total: 3, last_page: 1 });
    expect(
      body.data.participants
        .map((p) => ({ contact_id: p.contact_id, is_admin: p.is_admin, name: p.name }))
        .sort((a, b) => String(a.contact_id).localeCompare(String(b.contact_id))),
    ).toEqual(
      group.participants
        .filter((p) => p.pn !== linked.phone)
        .map((p) => ({ contact_id: p.jid, is_admin: p.admin !== null, name: p.name }))
        .sort((a, b) => a.contact_id.localeCompare(b.contact_id)),
    );
  });

  it('grab-contacts answers with 000 shape from the address book learnt by history sync', async () => {
    const people = peopleOf(linked);
    const { status, body } = await grab('grab-contacts');
    expect(status).toBe(200);
    expect(body.message).toBe('Kontak individual berhasil diambil dan disimpan');
    expect(Object.keys(body.data).sort()).toEqual(
      [
        'session_id',
        'session_name',
        'total_contacts',
        'contacts',
        'saved_count',
        'updated_count',
        'grabbed_at',
        'errors',
      ].sort(),
    );
    // Group members were saved by grab-groups with the same name and number: unchanged
    expect(body.data).toMatchObject({
      total_contacts: people.size,
      saved_count: people.size - participantIds().size,
      updated_count: 0,
      errors: [],
    });
    for (const contact of body.data.contacts ?? []) {
      expect(Object.keys(contact).sort()).toEqual([...CONTACT_ITEM_KEYS].sort());
    }
    expect(
      [...(body.data.contacts ?? [])].sort((a, b) => String(a.id).localeCompare(String(b.id))),
    ).toEqual(
      [...people.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([jid, person]) => ({
          id: jid,
          name: person.name,
          phone: person.pn,
          pushname: person.name,
          is_admin: false,
          profile_picture: null,
        })),
    );
    const again = await grab('grab-contacts');
    expect(again.body.data).toMatchObject({ saved_count: 0, updated_count: 0 });
  });

  it('grab-all answers with both lists and the 000 message; nothing changed means 0/0', async () => {
    const { status, body } = await grab('grab-all');
    expect(status).toBe(200);
    expect(body.message).toBe('Semua kontak berhasil diambil dan disimpan');
    expect(Object.keys(body.data).sort()).toEqual(
      [
        'session_id',
        'session_name',
        'total_groups',
        'total_contacts',
        'groups',
        'contacts',
        'saved_count',
        'updated_count',
        'grabbed_at',
        'errors',
      ].sort(),
    );
    expect(body.data).toMatchObject({
      total_groups: 3,
      total_contacts: peopleOf(linked).size,
      saved_count: 0,
      updated_count: 0,
    });
    expect(await rows().countBy({ sessionId: SESSION })).toBe(3 + peopleOf(linked).size);
  });

  it('a group renamed in the simulator shows as exactly one update', async () => {
    const group = linked.groups[1];
    const member = group.participants.find((p) => p.pn !== linked.phone)!;
    sim.account(linked.phone).changeGroup(group.id, { by: member.pn, subject: 'Renamed club' });
    const { body } = await grab('grab-groups');
    expect(body.data).toMatchObject({ saved_count: 0, updated_count: 1 });
    expect(body.data.groups?.find((item) => item.id === group.id)).toMatchObject({
      name: 'Renamed club',
    });
    expect(await rows().findOneByOrFail({ sessionId: SESSION, contactId: group.id })).toMatchObject(
      { name: 'Renamed club', groupName: 'Renamed club' },
    );
  });

  it('a contact renamed in the simulated phone shows as exactly one update', async () => {
    const contact = linked.contacts[5];
    await sim
      .account(linked.phone)
      .syncAddressBook({ rename: [{ pn: contact.pn, name: 'Zed Renamed' }] });
    await addressBookHas(gateway, SESSION, (book) =>
      book.some(
        (row) =>
          row.jid === contact.jid && row.name === 'Zed Renamed' && row.notify === 'Zed Renamed',
      ),
    );
    const { body } = await grab('grab-contacts');
    expect(body.data).toMatchObject({ saved_count: 0, updated_count: 1 });
    expect(body.data.contacts?.find((item) => item.id === contact.jid)).toMatchObject({
      name: 'Zed Renamed',
      pushname: 'Zed Renamed',
    });
  });
  it('a delete sent while a grab runs waits for it: it removes what the grab saved', async () => {
    expect(
      (await gateway.request(`/api/sessions/${SESSION}/contacts`, { method: 'DELETE' })).status,
    ).toBe(200);
    const socket = await connectSocket(gateway.url, { auth: { token: gateway.apiKey } });
    try {
      await emitWithAck(socket, 'subscribe', { sessionId: SESSION });
      const started = nextEvent<Record<string, unknown>>(
        socket,
        'grab_progress',
        (event) => event.phase === 'fetching' && event.done === 0,
      );
      const grabbing = grab('grab-groups');
      await started;
      const deleting = gateway.request(`/api/sessions/${SESSION}/contacts`, { method: 'DELETE' });
      const [{ body: grabbed }, deleted] = await Promise.all([
        grabbing,
        deleting.then((response) => json<{ deleted_count: number }>(response)),
      ]);
      expect(grabbed.data.saved_count).toBeGreaterThan(0);
      expect(deleted.data.deleted_count).toBe(grabbed.data.saved_count);
      expect(await rows().countBy({ sessionId: SESSION })).toBe(0);
      expect(await memberships().countBy({ sessionId: SESSION })).toBe(0);
    } finally {
      socket.close();
    }
  });
});
