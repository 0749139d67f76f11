import { DataSource } from 'typeorm';
import { CampaignEntity } from '../../src/campaigns/entities/campaign.entity';
import {
  ContactListEntity,
  ContactListMemberEntity,
} from '../../src/contacts/lists/contact-list.entity';
import type { SimAccount, WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import { nextProgress } from '../support/campaigns';
import { json, linkSession } from '../support/contacts';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

const SESSION = 'lists-1';
const OTHER = 'lists-2';
const ENV = { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0', DEFAULT_COUNTRY_CODE: '1' };
const GROUP = '120363000000000001@g.us';

interface ListView {
  id: string;
  sessionId: string;
  name: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}
interface MemberView {
  address: string;
  name: string | null;
  addedAt: string;
}
interface ErrorBody {
  success: false;
  message: string;
  errors?: { field: string; messages: string[] }[];
}

describe(`saved contact lists (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let linked: LinkInfo;
  let account: SimAccount;
  /** The stored contacts' names by number, as the grab saved them. */
  const names = new Map<string, string | null>();

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim, ENV);
    linked = await linkSession(gateway, sim, SESSION, { contacts: 12, groups: 0 });
    account = sim.account(linked.phone);
    expect((await gateway.request(`/api/sessions/${SESSION}/grab-contacts`)).status).toBe(200);
    const stored = await json<{ contacts: { phone_number: string; name: string | null }[] }>(
      await gateway.request(`/api/sessions/${SESSION}/contacts?type=individual`),
    );
    stored.data.contacts.forEach((contact) => names.set(contact.phone_number, contact.name));
    expect(names.size).toBe(12);
    expect((await gateway.post('/sessions', { sessionId: OTHER })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  const lists = (session = SESSION) => `/sessions/${session}/contact-lists`;
  const send = (method: string, path: string, body?: unknown) =>
    gateway.request(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const members = async (listId: string, query = 'per_page=500') =>
    (
      await json<ListView & { members: MemberView[] }>(
        await gateway.request(`${lists()}/${listId}?${query}`),
      )
    ).data.members.map((member) => member.address);
  const rows = async () => {
    const dataSource = gateway.app.get(DataSource);
    return [
      await dataSource.getRepository(ContactListEntity).count(),
      await dataSource.getRepository(ContactListMemberEntity).count(),
      await dataSource.getRepository(CampaignEntity).count(),
    ];
  };

  it('creates, pages, renames, grows, shrinks and deletes a list; numbers normalized, duplicates collapsed', async () => {
    const [a, b, c, d, e, f] = linked.contacts.map((contact) => contact.pn);
    const created = await gateway.post(lists(), {
      name: 'VIP',
      members: [
        a,
        `+${b.slice(0, 1)} ${b.slice(1, 4)}-${b.slice(4)}`,
        `0${c.slice(1)}`, // local form: DEFAULT_COUNTRY_CODE 1
        `${d}@s.whatsapp.net`,
        `+${a}`, // the same number again
        GROUP,
      ],
    });
    expect(created.status).toBe(201);
    const list = (await json<ListView>(created)).data;
    expect(list).toMatchObject({ sessionId: SESSION, name: 'VIP', memberCount: 5 });
    expect(new Date(list.createdAt).toISOString()).toBe(list.createdAt);

    // one page of members, in the order they were added, with `meta` paging them
    const page = await gateway.request(`${lists()}/${list.id}?page=2&per_page=2`);
    expect(page.status).toBe(200);
    const paged = (await page.json()) as {
      data: ListView & { members: MemberView[] };
      meta: Record<string, number>;
    };
    expect(paged.data).toMatchObject({ id: list.id, name: 'VIP', memberCount: 5 });
    expect(paged.data.members.map((member) => member.address)).toEqual([c, d]);
    expect(paged.meta).toEqual({ page: 2, per_page: 2, total: 5, last_page: 3 });
    expect(await members(list.id)).toEqual([a, b, c, d, GROUP]);

    const all = await json<ListView[]>(await gateway.request(lists()));
    expect(all.data.map((item) => [item.name, item.memberCount])).toContainEqual(['VIP', 5]);
    expect(all.meta).toMatchObject({ page: 1, per_page: 50 });

    // names are unique per session, whatever the case
    const before = await rows();
    const taken = await gateway.post(lists(), { name: 'vip', members: [e] });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as ErrorBody).message).toBe(
      'A contact list named "vip" already exists',
    );
    expect(await rows()).toEqual(before);
    const renamed = await send('PATCH', `${lists()}/${list.id}`, { name: ' Gold ' });
    expect(renamed.status).toBe(200);
    expect((await json<ListView>(renamed)).data).toMatchObject({ name: 'Gold', memberCount: 5 });
    const silver = (await json<ListView>(await gateway.post(lists(), { name: 'Silver' }))).data;
    expect(silver.memberCount).toBe(0);
    expect((await send('PATCH', `${lists()}/${silver.id}`, { name: 'GOLD' })).status).toBe(409);
    expect((await send('PATCH', `${lists()}/${silver.id}`, { name: 'Silver' })).status).toBe(200);

    // members already in the list are not added twice; a filter adds a snapshot with names
    const grown = await gateway.post(`${lists()}/${list.id}/members`, {
      members: [`+${a}`, e],
      contacts: { search: f },
    });
    expect(grown.status).toBe(201);
    expect((await json<{ added: number; list: ListView }>(grown)).data).toMatchObject({
      added: 2,
      list: { memberCount: 7 },
    });
    const snapshot = (
      await json<{ members: MemberView[] }>(await gateway.request(`${lists()}/${list.id}`))
    ).data.members;
    expect(snapshot.find((member) => member.address === f)?.name).toBe(names.get(f));
    expect(snapshot.find((member) => member.address === e)?.name).toBeNull();

    // removed by any form of its number
    const removed = await send(
      'DELETE',
      `${lists()}/${list.id}/members/${encodeURIComponent(`+${a}`)}`,
    );
    expect(removed.status).toBe(200);
    expect((await json<{ removed: boolean; list: ListView }>(removed)).data).toMatchObject({
      removed: true,
      list: { memberCount: 6 },
    });
    const again = await send('DELETE', `${lists()}/${list.id}/members/${a}`);
    expect((await json<{ removed: boolean }>(again)).data.removed).toBe(false);
    expect(await members(list.id)).toEqual([b, c, d, GROUP, e, f]);

    // the stored contacts filtered by the list: the members that are stored contacts
    const filtered = await json<{ contacts: { phone_number: string }[] }>(
      await gateway.request(`/api/sessions/${SESSION}/contacts?list_id=${list.id}`),
    );
    expect(filtered.data.contacts.map((contact) => contact.phone_number).sort()).toEqual(
      [b, c, d, e, f].sort(),
    );
    expect(filtered.meta).toMatchObject({ total: 5 });
    // ... and the session's address book (the engine route), filtered the same way
    const live = (await gateway
      .request(`/sessions/${SESSION}/contacts?listId=${list.id}`)
      .then((response) => response.json())) as { data: { phoneNumber: string }[]; count: number };
    expect(live.data.map((contact) => contact.phoneNumber).sort()).toEqual([b, c, d, e, f].sort());
    expect(live.count).toBe(5);
    const csv = await gateway.request(
      `/api/sessions/${SESSION}/contacts?list_id=${silver.id}&format=csv`,
    );
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split('\n')).toHaveLength(1); // the header only

    const deleted = await send('DELETE', `${lists()}/${list.id}`);
    expect(deleted.status).toBe(200);
    expect((await json<{ deleted: boolean }>(deleted)).data).toEqual({ deleted: true });
    expect((await gateway.request(`${lists()}/${list.id}`)).status).toBe(404);
    expect(
      (await gateway.request(`/api/sessions/${SESSION}/contacts?list_id=${list.id}`)).status,
    ).toBe(404);
    expect(
      await gateway.app.get(DataSource).getRepository(ContactListMemberEntity).countBy({
        listId: list.id,
      }),
    ).toBe(0);
  });

  it('answers bad input with a 400 naming the problem and unknown lists with 404, writing nothing', async () => {
    const elsewhere = (
      await json<ListView>(
        await gateway.post(lists(OTHER), { name: 'Elsewhere', members: [linked.contacts[0].pn] }),
      )
    ).data;
    const mine = (await json<ListView>(await gateway.post(lists(), { name: 'Mine' }))).data;
    const before = await rows();
    const cases: [string, string, unknown, number, string | null][] = [
      [
        'POST',
        lists(),
        { name: 'Bad', members: [linked.contacts[0].pn, '12345'] },
        400,
        'members[1]',
      ],
      ['POST', lists(), { name: 'Bad', members: ['hello@example.com'] }, 400, 'members[0]'],
      ['POST', lists(), { name: '   ' }, 400, 'name'],
      ['POST', lists(), { members: [linked.contacts[0].pn] }, 400, 'name'],
      ['POST', lists(), { name: 'Bad', members: '6281234567890' }, 400, 'members'],
      ['POST', lists(), { name: 'Bad', contacts: { type: 'robot' } }, 400, 'contacts.type'],
      ['POST', lists(), { name: 'x'.repeat(256) }, 400, 'name'],
      ['POST', `${lists()}/${mine.id}/members`, { members: ['not a number'] }, 400, 'members[0]'],
      ['PATCH', `${lists()}/${mine.id}`, { name: '' }, 400, 'name'],
      ['DELETE', `${lists()}/${mine.id}/members/abc`, undefined, 400, 'member'],
      ['GET', `/api/sessions/${SESSION}/contacts?list_id=abc`, undefined, 400, 'list_id'],
      ['GET', `/sessions/${SESSION}/contacts?listId=abc`, undefined, 400, 'listId'],
      [
        'POST',
        `/sessions/${SESSION}/campaigns`,
        { name: 'C', message: 'hi', listId: 'abc' },
        400,
        'listId',
      ],
      // unknown, malformed or another session's list
      ['GET', `${lists()}/999999`, undefined, 404, null],
      ['GET', `${lists()}/abc`, undefined, 404, null],
      ['GET', `${lists()}/${elsewhere.id}`, undefined, 404, null],
      ['PATCH', `${lists()}/${elsewhere.id}`, { name: 'Mine too' }, 404, null],
      ['DELETE', `${lists()}/${elsewhere.id}`, undefined, 404, null],
      [
        'POST',
        `${lists()}/${elsewhere.id}/members`,
        { members: [linked.contacts[1].pn] },
        404,
        null,
      ],
      ['GET', `/api/sessions/${SESSION}/contacts?list_id=${elsewhere.id}`, undefined, 404, null],
      ['GET', `/sessions/${SESSION}/contacts?listId=${elsewhere.id}`, undefined, 404, null],
      [
        'POST',
        `/sessions/${SESSION}/campaigns`,
        { name: 'C', message: 'hi', listId: elsewhere.id },
        404,
        null,
      ],
      ['GET', lists('nobody'), undefined, 404, null],
    ];
    for (const [method, path, body, status, field] of cases) {
      const response = await send(method, path, body);
      const answer = (await response.json()) as ErrorBody;
      expect({ method, path, status: response.status }).toEqual({ method, path, status });
      expect(answer.success).toBe(false);
      if (field) {
        expect({ path, fields: answer.errors?.map((error) => error.field) }).toEqual({
          path,
          fields: expect.arrayContaining([field]),
        });
      } else {
        expect(answer.message).toMatch(/not found/);
      }
    }
    expect(await rows()).toEqual(before);

    // requests racing for one name: one list, the others a 409
    const racing = await Promise.all(
      [0, 1, 2, 3, 4].map((index) =>
        gateway.post(lists(), {
          name: index % 2 ? 'Race' : 'RACE',
          members: [linked.contacts[index].pn],
        }),
      ),
    );
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('sends a campaign made from a saved list to exactly its members, once each', async () => {
    const picked = linked.contacts.slice(6, 10).map((contact) => contact.pn);
    const named = linked.contacts[10].pn;
    const list = (
      await json<ListView>(
        await gateway.post(lists(), {
          name: 'Campaign audience',
          members: [...picked, `+${picked[0]}`],
          contacts: { search: named },
        }),
      )
    ).data;
    expect(list.memberCount).toBe(5);
    const since = account.received().length;
    const response = await gateway.post(`/sessions/${SESSION}/campaigns`, {
      name: 'From a list',
      message: 'Hello {{name|friend}}',
      listId: list.id,
      pacing: { minIntervalMs: 0, maxIntervalMs: 0 },
    });
    expect(response.status).toBe(201);
    const campaign = (await json<{ id: string; totalRecipients: number }>(response)).data;
    expect(campaign.totalRecipients).toBe(5);
    const completed = nextProgress(gateway, campaign.id, (event) => event.state === 'completed');
    const view = async () =>
      (
        await json<{ state: string; counts: Record<string, number> }>(
          await gateway.request(`/sessions/${SESSION}/campaigns/${campaign.id}`),
        )
      ).data;
    if ((await view()).state !== 'completed') {
      await completed;
    }
    completed.catch(() => undefined);
    expect((await view()).counts).toMatchObject({ pending: 0, queued: 0, failed: 0, skipped: 0 });
    await account.waitForMessage(() => account.received().length - since >= 5);
    const got = account.received().slice(since);
    expect(got.map((message) => message.to).sort()).toEqual(
      [...picked, named].map((pn) => `${pn}@s.whatsapp.net`).sort(),
    );
    for (const message of got) {
      const pn = message.to.split('@')[0];
      expect(message.text).toBe(`Hello ${pn === named ? names.get(named) : 'friend'}`);
    }
  });

  it('goes with its session when the session is purged', async () => {
    const repository = gateway.app.get(DataSource).getRepository(ContactListEntity);
    expect(await repository.countBy({ sessionId: OTHER })).toBeGreaterThan(0);
    const removed = await gateway.request(`/sessions/${OTHER}?purge=true`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(await repository.countBy({ sessionId: OTHER })).toBe(0);
    const orphans = await gateway.app
      .get(DataSource)
      .query<{ n: number }[]>(
        'SELECT COUNT(*) AS n FROM contact_list_members WHERE list_id NOT IN (SELECT id FROM contact_lists)',
      );
    expect(Number(orphans[0].n)).toBe(0);
  });
});
