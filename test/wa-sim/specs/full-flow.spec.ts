import { DisconnectReason, proto, type AuthenticationState } from '@whiskeysockets/baileys';
import type { LinkInfo, WaSimulator } from '../index';
import { createMemoryAuthState, TestClient, textOf } from '../testing/baileys-client';
import { useSimulator } from '../testing/sim-fixture';

/**
 * One account's life with a plain Baileys client, each step awaited on events:
 * QR → scan → 515 restart → open → groups → onWhatsApp → send → inbound → presence → receipts
 * → kick 515 → reconnect → logout.
 */
describe('WhatsApp Web simulator: full flow with a plain Baileys client', () => {
  const fixture = useSimulator();
  let sim: WaSimulator;
  let auth: AuthenticationState;
  let client: TestClient;
  let linked: LinkInfo;

  const connect = (): TestClient => {
    client = fixture.track(TestClient.connect(sim.wsUrl, auth));
    return client;
  };

  beforeAll(() => {
    sim = fixture.sim;
    auth = createMemoryAuthState();
  });

  it('links by QR: scan, pair-success, then a 515 restart', async () => {
    connect();
    const qr = await client.waitForQr();
    const restart = client.waitForClose();
    linked = await sim.scan(qr, { name: 'Ada Phone', contacts: 6, groups: 3 });
    expect(await restart).toBe(DisconnectReason.restartRequired);
    expect(auth.creds.me?.id).toBe(linked.deviceJid);
    expect(auth.creds.platform).toBe('android');
    expect(linked.contacts).toHaveLength(6);
    expect(linked.groups.map((group) => group.accountRole)).toEqual(['superadmin', null, 'admin']);
  });

  it('logs in after the restart and gets contacts, LID mappings and its name by history sync', async () => {
    const login = sim.waitFor('login', (event) => event.phone === linked.phone);
    connect();
    const history = client.waitForEvent('messaging-history.set', (set) => set.contacts.length > 0);
    await client.waitForOpen();
    expect((await login).firstLogin).toBe(true);
    const { contacts } = await history;
    const first = linked.contacts[0];
    expect(contacts).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: first.jid, name: first.name })]),
    );
    // the event buffer drops lidPnMappings from messaging-history.set; they are stored though
    expect(await client.sock.signalRepository.lidMapping.getLIDForPN(first.jid)).toBe(first.lid);
    await sim.account(linked.phone).waitForReady();
    await client
      .waitForEvent('creds.update', () => auth.creds.me?.name === 'Ada Phone')
      .catch(() => undefined);
    expect(auth.creds.me?.name).toBe('Ada Phone');
    expect(auth.creds.me?.lid).toMatch(/@lid$/);
  });

  it('fetches its groups with participants and admins', async () => {
    const groups = await client.sock.groupFetchAllParticipating();
    expect(Object.keys(groups).sort()).toEqual(linked.groups.map((group) => group.id).sort());
    const owned = groups[linked.groups[0].id];
    expect(owned.subject).toBe(linked.groups[0].subject);
    expect(owned.participants).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: linked.jid, admin: 'superadmin' })]),
    );
    expect(owned.participants).toHaveLength(4);
  });

  it('looks numbers up with onWhatsApp', async () => {
    const known = linked.contacts[1];
    const result = await client.sock.onWhatsApp(known.pn, '99999999999');
    expect(result).toEqual([{ jid: known.jid, exists: true }]);
  });

  it('sends a text that the simulator decrypts; receipts come back as messages.update', async () => {
    const to = linked.contacts[2];
    const account = sim.account(linked.phone);
    sim.autoReceipts = 'none';
    const ownUpsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => message.key.fromMe && textOf(message) === 'hello from Baileys'),
    );
    const sent = await client.sock.sendMessage(to.jid, { text: 'hello from Baileys' });
    const id = sent!.key.id!;
    const received = await account.waitForMessage((message) => message.id === id);
    expect(received).toMatchObject({
      to: to.jid,
      text: 'hello from Baileys',
      fromDevice: linked.deviceJid,
    });
    await ownUpsert;

    const statusUpdate = (status: proto.WebMessageInfo.Status) =>
      client.waitForEvent('messages.update', (updates) =>
        updates.some((update) => update.key.id === id && update.update.status === status),
      );
    const delivered = statusUpdate(proto.WebMessageInfo.Status.DELIVERY_ACK);
    account.sendReceipt(to.jid, [id], 'delivery');
    await delivered;
    const read = statusUpdate(proto.WebMessageInfo.Status.READ);
    account.sendReceipt(to.jid, [id], 'read');
    await read;
  });

  it('sends to a group; members send receipts on their own (message-receipt.update)', async () => {
    sim.autoReceipts = 'read';
    const group = linked.groups[0];
    const receipt = client.waitForEvent('message-receipt.update', (updates) =>
      updates.some((update) => update.key.remoteJid === group.id && !!update.receipt.readTimestamp),
    );
    const sent = await client.sock.sendMessage(group.id, { text: 'hello group' });
    const received = await sim
      .account(linked.phone)
      .waitForMessage((message) => message.id === sent?.key.id);
    expect(received).toMatchObject({ to: group.id, text: 'hello group' });
    expect((await receipt).find((update) => update.key.id === sent?.key.id)).toBeDefined();
  });

  it('receives a text from a contact (messages.upsert)', async () => {
    const from = linked.contacts[3];
    const upsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => textOf(message) === 'hi there'),
    );
    const acked = sim.waitFor('client-receipt', (event) => event.phone === linked.phone);
    const { id } = await sim.account(linked.phone).sendText(from.pn, 'hi there');
    const { messages, type } = await upsert;
    expect(type).toBe('notify');
    expect(messages[0]).toMatchObject({ key: { id, fromMe: false }, pushName: from.name });
    expect((await acked).ids).toContain(id);
  });

  it('receives a group message from a participant', async () => {
    const group = linked.groups[1];
    const member = group.participants.find((participant) => participant.jid !== linked.jid)!;
    const upsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => textOf(message) === 'group hello'),
    );
    await sim.account(linked.phone).sendText(member.pn, 'group hello', { group: group.id });
    const { messages } = await upsert;
    expect(messages[0].key).toMatchObject({ remoteJid: group.id, participant: member.jid });
  });

  it('sees presence and typing of a contact (presence.update)', async () => {
    const from = linked.contacts[0];
    const online = client.waitForEvent('presence.update', ({ id }) => id === from.jid);
    sim.account(linked.phone).sendPresence(from.pn, 'available');
    expect((await online).presences[from.jid]?.lastKnownPresence).toBe('available');
    const typing = client.waitForEvent(
      'presence.update',
      ({ presences }) => presences[from.jid]?.lastKnownPresence === 'composing',
    );
    sim.account(linked.phone).sendPresence(from.pn, 'composing');
    await typing;
  });

  it('reconnects with its stored credentials after a 515 kick', async () => {
    const closed = client.waitForClose();
    expect(sim.account(linked.phone).kick(515)).toBe(1);
    expect(await closed).toBe(DisconnectReason.restartRequired);
    const login = sim.waitFor('login', (event) => event.phone === linked.phone);
    connect();
    await client.waitForOpen();
    expect((await login).firstLogin).toBe(false);
    const from = linked.contacts[4];
    const upsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => textOf(message) === 'still there?'),
    );
    await sim.account(linked.phone).waitForReady();
    await sim.account(linked.phone).sendText(from.pn, 'still there?');
    await upsert;
  });

  it('logs out: the device is forgotten and its credentials are refused', async () => {
    const unlinked = sim.waitFor('unlinked', (event) => event.phone === linked.phone);
    await client.sock.logout();
    expect((await unlinked).by).toBe('client');
    expect(sim.account(linked.phone).devices).toHaveLength(0);
    const refused = sim.waitFor('login-refused', (event) => event.phone === linked.phone);
    connect();
    expect(await client.waitForClose()).toBe(DisconnectReason.loggedOut);
    expect((await refused).reason).toBe(401);
  });

  it('answered every IQ it was sent', () => {
    expect(sim.unhandledIqs).toEqual([]);
  });
});
