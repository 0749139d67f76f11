import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import type { WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import { ContactEntity } from '../../src/contacts/contact.entity';
import { addressBookHas, json, linkSession, peopleOf } from '../support/contacts';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

type Row = Record<string, unknown>;
interface ListBody {
  session_id: string;
  session_name: string | null;
  type: string | null;
  total_contacts: number;
  contacts: Row[];
}

const COLUMNS = [
  'id',
  'session_id',
  'contact_id',
  'name',
  'phone_number',
  'type',
  'group_id',
  'group_name',
  'group_description',
  'group_participants_count',
  'is_admin',
  'profile_picture',
  'status',
  'grabbed_at',
  'created_at',
  'updated_at',
];

describe(`stored contacts: filters, exports, delete, isolation, errors (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let a: LinkInfo;
  let b: LinkInfo;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
    a = await linkSession(gateway, sim, 'store-a', {
      sessionName: 'Store A',
      contacts: 6,
      groups: 3,
      participantsPerGroup: 4,
    });
    b = await linkSession(gateway, sim, 'store-b', { contacts: 3, groups: 1 });
    // One of A's contacts writes to B too: the same person is then in both address books
    const shared = a.contacts[0];
    await sim.account(b.phone).sendText(shared.pn, 'hello B');
    await addressBookHas(gateway, 'store-b', (rows) => rows.some((row) => row.jid === shared.jid));
    // A's phone knows contact 1 by a saved name and the contact calls itself something else
    await sim.account(a.phone).syncAddressBook({
      rename: [{ pn: a.contacts[1].pn, name: 'Bruno Saved', pushName: 'Captain Hook' }],
    });
    await addressBookHas(gateway, 'store-a', (rows) =>
      rows.some((row) => row.notify === 'Captain Hook'),
    );
    for (const session of ['store-a', 'store-b']) {
      expect((await gateway.request(`/api/sessions/${session}/grab-all`)).status).toBe(200);
    }
  }, 90_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  const list = async (session: string, query = '') => {
    const response = await gateway.request(`/api/sessions/${session}/contacts${query}`);
    return { status: response.status, body: await json<ListBody>(response) };
  };
  const totalOf = (linked: LinkInfo) => linked.groups.length + peopleOf(linked).size;

  it('lists every stored row with all columns, filtered by type, with 000 message and meta', async () => {
    const all = await list('store-a');
    expect(all.status).toBe(200);
    expect(all.body.message).toBe('Kontak berhasil diambil dari database');
    expect(all.body.data).toMatchObject({
      session_id: 'store-a',
      session_name: 'Store A',
      type: null,
      total_contacts: totalOf(a),
    });
    expect(all.body.meta).toEqual({ page: 1, per_page: 50, total: totalOf(a), last_page: 1 });
    for (const row of all.body.data.contacts) {
      expect(Object.keys(row)).toEqual(COLUMNS);
      expect(row.session_id).toBe('store-a');
      expect(new Date(String(row.created_at)).toISOString()).toBe(row.created_at);
    }

    const groups = await list('store-a', '?type=group');
    expect(groups.body.data).toMatchObject({ type: 'group', total_contacts: 3 });
    expect(groups.body.data.contacts.map((row) => row.contact_id).sort()).toEqual(
      a.groups.map((group) => group.id).sort(),
    );
    const individuals = await list('store-a', '?type=individual');
    expect(individuals.body.data.total_contacts).toBe(peopleOf(a).size);
    expect(individuals.body.data.contacts.every((row) => row.type === 'individual')).toBe(true);
  });

  it('searches by name, by push name and by phone digits in any format', async () => {
    const alice = a.contacts[0];
    const byName = await list('store-a', `?search=${encodeURIComponent(alice.name.split(' ')[0])}`);
    expect(byName.body.data.contacts.map((row) => row.contact_id)).toEqual([alice.jid]);
    const byPushName = await list('store-a', '?search=captain%20hook');
    expect(byPushName.body.data.contacts.map((row) => [row.contact_id, row.name])).toEqual([
      [a.contacts[1].jid, 'Bruno Saved'],
    ]);
    const spaced = `+${alice.pn.slice(0, 1)} ${alice.pn.slice(1, 4)}-${alice.pn.slice(4)}`;
    const byPhone = await list('store-a', `?search=${encodeURIComponent(spaced)}`);
    expect(byPhone.body.data.contacts.map((row) => row.contact_id)).toEqual([alice.jid]);
    const none = await list('store-a', '?search=%25');
    expect(none.body.data.total_contacts).toBe(0);
  });

  it('filters by the group a grab last saw the contact in', async () => {
    const groups = [...a.groups].sort((x, y) => x.id.localeCompare(y.id));
    const lastGroup = new Map<string, string>();
    for (const group of groups) {
      for (const p of group.participants.filter((p) => p.pn !== a.phone)) {
        lastGroup.set(p.jid, group.id);
      }
    }
    for (const group of groups) {
      const { body } = await list('store-a', `?group_id=${encodeURIComponent(group.id)}`);
      expect(body.data.contacts.map((row) => row.contact_id).sort()).toEqual(
        [...lastGroup]
          .filter(([, id]) => id === group.id)
          .map(([jid]) => jid)
          .sort(),
      );
    }
  });

  it('gives a campaign every member a grab stored for a group, also those last seen in another', async () => {
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    let wider = 0;
    for (const group of a.groups) {
      const members = group.participants
        .filter((p) => p.pn !== a.phone)
        .map((p) => p.pn)
        .sort();
      const created = await gateway.post('/sessions/store-a/campaigns', {
        name: `members of ${group.id}`,
        message: 'hi {{name|friend}}',
        contacts: { type: 'individual', groupId: group.id },
        scheduledAt,
      });
      expect(created.status).toBe(201);
      const { id } = (await json<{ id: string }>(created)).data;
      const rows = (
        await json<{ address: string }[]>(
          await gateway.request(`/sessions/store-a/campaigns/${id}/recipients?per_page=100`),
        )
      ).data;
      expect(rows.map((row) => row.address).sort()).toEqual(members);
      const lastSeen = await list('store-a', `?group_id=${encodeURIComponent(group.id)}`);
      wider += members.length - lastSeen.body.data.total_contacts;
      expect((await gateway.post(`/sessions/store-a/campaigns/${id}/cancel`)).status).toBe(200);
    }
    // the groups share members: GET /contacts?group_id names each under its last group only
    expect(wider).toBeGreaterThan(0);
  });

  it('paginates with page and per_page', async () => {
    const total = totalOf(a);
    const first = await list('store-a', '?per_page=4');
    const second = await list('store-a', '?per_page=4&page=2');
    expect(second.body.meta).toEqual({
      page: 2,
      per_page: 4,
      total,
      last_page: Math.ceil(total / 4),
    });
    expect(first.body.data.contacts).toHaveLength(4);
    expect(second.body.data.contacts).toHaveLength(4);
    const ids = [...first.body.data.contacts, ...second.body.data.contacts].map((row) =>
      Number(row.id),
    );
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(8);
    expect(second.body.data.total_contacts).toBe(total);
  });

  it('exports the whole filtered set as CSV and as XLSX with a header row', async () => {
    const expected = (await list('store-a', '?type=individual&per_page=500')).body.data.contacts;
    const text = (value: unknown): string =>
      value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);

    const csvResponse = await gateway.request(
      '/api/sessions/store-a/contacts?type=individual&format=csv&per_page=2',
    );
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csvResponse.headers.get('content-disposition')).toMatch(
      /^attachment; filename="contacts-store-a-.*\.csv"$/,
    );
    const records: string[][] = parse(await csvResponse.text(), { bom: true });
    expect(records[0]).toEqual(COLUMNS);
    expect(records.slice(1)).toEqual(
      expected.map((row) => COLUMNS.map((column) => text(row[column]))),
    );

    const xlsxResponse = await gateway.request(
      '/api/sessions/store-a/contacts?type=individual&format=xlsx',
    );
    expect(xlsxResponse.status).toBe(200);
    expect(xlsxResponse.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(
      Buffer.from(await xlsxResponse.arrayBuffer()) as unknown as ArrayBuffer,
    );
    const sheet = workbook.getWorksheet('contacts')!;
    const values: string[][] = [];
    sheet.eachRow((row) => {
      values.push(COLUMNS.map((_, index) => text(row.getCell(index + 1).value ?? null)));
    });
    expect(values[0]).toEqual(COLUMNS);
    expect(values.slice(1)).toEqual(
      expected.map((row) => COLUMNS.map((column) => text(row[column]))),
    );
  });

  it('keeps sessions apart: the same person is one row in each, and B never touches A', async () => {
    const shared = a.contacts[0];
    const repository = gateway.app.get(DataSource).getRepository(ContactEntity);
    expect(await repository.countBy({ contactId: shared.jid })).toBe(2);
    const bList = await list('store-b', '?per_page=500');
    expect(bList.body.data.contacts.every((row) => row.session_id === 'store-b')).toBe(true);
    expect(bList.body.data.total_contacts).toBe(totalOf(b) + 1);
  });

  it('deletes stored contacts (by type, then all) with 000 message, leaving other sessions alone', async () => {
    const groupsGone = await gateway.request('/api/sessions/store-b/contacts?type=group', {
      method: 'DELETE',
    });
    expect(groupsGone.status).toBe(200);
    expect(await json(groupsGone)).toEqual({
      success: true,
      message: 'Kontak berhasil dihapus dari database',
      data: { session_id: 'store-b', session_name: null, deleted_count: 1 },
    });
    const rest = await gateway.request('/api/sessions/store-b/contacts', { method: 'DELETE' });
    expect((await json(rest)).data).toMatchObject({ deleted_count: totalOf(b) });
    expect((await list('store-b')).body.data.total_contacts).toBe(0);
    expect((await list('store-a')).body.data.total_contacts).toBe(totalOf(a));
  });

  it('answers the engine routes live from the session without writing contacts', async () => {
    const before = (await list('store-b')).body.data.total_contacts;
    const groups = await gateway.request('/sessions/store-b/groups');
    expect(groups.status).toBe(200);
    const groupsBody = await json<Row[]>(groups);
    expect(groupsBody).toMatchObject({
      success: true,
      message: 'Groups retrieved successfully',
      count: 1,
    });
    expect(groupsBody.data[0]).toMatchObject({
      id: b.groups[0].id,
      subject: b.groups[0].subject,
      size: b.groups[0].participants.length,
      isAdmin: true,
    });
    const contacts = await json<Row[]>(await gateway.request('/sessions/store-b/contacts'));
    expect(contacts.count).toBe(peopleOf(b).size + 1);
    expect(contacts.data[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      phoneNumber: expect.stringMatching(/^\d+$/),
      lid: expect.stringMatching(/@lid$/),
      pushName: expect.any(String),
      verifiedName: null,
    });
    const all = await json<{ groups: Row[]; contacts: Row[] }>(
      await gateway.request('/sessions/store-b/all-contacts'),
    );
    expect(all.message).toBe('All contacts retrieved successfully');
    expect([all.data.groups.length, all.data.contacts.length]).toEqual([1, peopleOf(b).size + 1]);
    expect((await list('store-b')).body.data.total_contacts).toBe(before);
  });

  it('answers /api/sessions/:session_id/status in snake_case', async () => {
    const response = await gateway.request('/api/sessions/store-a/status');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.message).toBe('Session status retrieved successfully');
    expect(body.data).toMatchObject({
      session_id: 'store-a',
      session_name: 'Store A',
      status: 'connected',
      is_active: true,
      is_connected: true,
      phone_number: a.phone,
      has_qr: false,
    });
  });

  it('rejects bad queries with a 400 naming the field, unknown sessions with 404', async () => {
    const cases: [string, string][] = [
      ['/api/sessions/store-a/contacts?type=robot', 'type'],
      ['/api/sessions/store-a/contacts?per_page=0', 'per_page'],
      ['/api/sessions/store-a/contacts?format=pdf', 'format'],
      ['/api/sessions/store-a/contacts?colour=red', 'colour'],
      ['/api/sessions/store-a/grab-all?with_pictures=maybe', 'with_pictures'],
    ];
    for (const [path, field] of cases) {
      const response = await gateway.request(path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      const body = await json(response);
      expect(body.success).toBe(false);
      expect(body.errors?.map((error) => error.field)).toContain(field);
    }
    for (const path of [
      '/api/sessions/nobody/grab-groups',
      '/api/sessions/nobody/grab-contacts',
      '/api/sessions/nobody/grab-all',
      '/api/sessions/nobody/contacts',
      '/api/sessions/nobody/status',
      '/sessions/nobody/groups',
    ]) {
      const response = await gateway.request(path);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 404,
        body: { success: false, message: 'Session not found' },
      });
    }
    const invalid = await gateway.request('/api/sessions/bad%20id!/contacts');
    expect(invalid.status).toBe(400);
  });

  it('refuses grabs and engine routes of a disconnected session; its stored contacts stay readable', async () => {
    expect((await gateway.post('/sessions/store-a/stop')).status).toBe(200);
    for (const path of [
      '/api/sessions/store-a/grab-groups',
      '/api/sessions/store-a/grab-contacts',
      '/api/sessions/store-a/grab-all',
      '/sessions/store-a/groups',
      '/sessions/store-a/contacts',
      '/sessions/store-a/all-contacts',
    ]) {
      const response = await gateway.request(path);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 400,
        body: { success: false, message: 'Session tidak terhubung. Status: disconnected' },
      });
    }
    expect((await list('store-a')).body.data.total_contacts).toBe(totalOf(a));
  });
});
