import { DisconnectReason, proto } from '@whiskeysockets/baileys';
import type { AccountInfo, LinkInfo } from '../index';
import { createMemoryAuthState, TestClient, textOf } from '../testing/baileys-client';
import { useSimulator } from '../testing/sim-fixture';

interface Reply<T> {
  status: number;
  body: T;
}

describe('WhatsApp Web simulator: HTTP control API', () => {
  const fixture = useSimulator({ http: true });
  const auth = createMemoryAuthState();
  let client: TestClient;
  let linked: LinkInfo;

  const call = async <T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const response = await fetch(`${fixture.sim.httpUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const connect = (): TestClient => {
    client = fixture.track(TestClient.connect(fixture.sim.wsUrl, auth));
    return client;
  };

  it('describes itself on GET /', async () => {
    const { body } = await call<Record<string, string>>('GET', '/');
    expect(body).toEqual({
      ws: fixture.sim.wsUrl,
      http: fixture.sim.httpUrl,
      rootPublicKeyHex: fixture.sim.rootPublicKeyHex,
    });
  });

  it('POST /scan links the client showing the QR', async () => {
    connect();
    const qr = await client.waitForQr();
    const restart = client.waitForClose();
    const { status, body } = await call<LinkInfo>('POST', '/scan', {
      qr,
      name: 'Curl Phone',
      contacts: 3,
      groups: 1,
    });
    expect(status).toBe(200);
    linked = body;
    expect(linked).toMatchObject({
      name: 'Curl Phone',
      deviceJid: expect.stringMatching(/^\d+:\d+@s\.whatsapp\.net$/),
    });
    expect(linked.contacts).toHaveLength(3);
    expect(linked.contacts[0]).toEqual({
      pn: expect.any(String),
      jid: expect.any(String),
      lid: expect.any(String),
      name: expect.any(String),
    });
    expect(linked.groups[0]).toMatchObject({
      id: expect.stringMatching(/@g\.us$/),
      subject: expect.any(String),
    });
    expect(await restart).toBe(DisconnectReason.restartRequired);
    connect();
    await client.waitForOpen();
    await fixture.sim.account(linked.phone).waitForReady();
  });

  it('GET /accounts lists the connected account', async () => {
    const { body } = await call<AccountInfo[]>('GET', '/accounts');
    expect(body).toEqual([
      expect.objectContaining({
        phone: linked.phone,
        name: 'Curl Phone',
        connected: true,
        contacts: 3,
        groups: 1,
      }),
    ]);
  });

  it('POST /accounts/:phone/inbound delivers a text to the client', async () => {
    const upsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => textOf(message) === 'from curl'),
    );
    const { status, body } = await call<{ id: string }>(
      'POST',
      `/accounts/${linked.phone}/inbound`,
      {
        from: linked.contacts[0].pn,
        text: 'from curl',
      },
    );
    expect(status).toBe(200);
    expect((await upsert).messages[0].key.id).toBe(body.id);
  });

  it('POST /accounts/:phone/presence shows the contact typing', async () => {
    const from = linked.contacts[1];
    const typing = client.waitForEvent(
      'presence.update',
      ({ presences }) => presences[from.jid]?.lastKnownPresence === 'composing',
    );
    expect(
      (
        await call('POST', `/accounts/${linked.phone}/presence`, {
          from: from.jid,
          state: 'composing',
        })
      ).status,
    ).toBe(200);
    await typing;
  });

  it('GET /accounts/:phone/received returns what the client sent, decrypted', async () => {
    const sent = await client.sock.sendMessage(linked.contacts[2].jid, {
      text: 'to the simulator',
    });
    await fixture.sim
      .account(linked.phone)
      .waitForMessage((message) => message.id === sent?.key.id);
    const { body } = await call<Array<{ to: string; text: string; id: string }>>(
      'GET',
      `/accounts/${linked.phone}/received`,
    );
    expect(body).toEqual([
      expect.objectContaining({
        to: linked.contacts[2].jid,
        text: 'to the simulator',
        id: sent?.key.id,
      }),
    ]);
  });

  it('POST /accounts/:phone/receipt and /group-event reach the client', async () => {
    fixture.sim.autoReceipts = 'none';
    const upserted = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => textOf(message) === 'listen to me'),
    );
    const sent = await client.sock.sendMessage(linked.contacts[0].jid, { text: 'listen to me' });
    await upserted;
    const played = client.waitForEvent('messages.update', (updates) =>
      updates.some(
        (update) =>
          update.key.id === sent?.key.id &&
          update.update.status === proto.WebMessageInfo.Status.PLAYED,
      ),
    );
    const receipt = { chat: linked.contacts[0].jid, ids: [sent?.key.id], type: 'played' };
    expect((await call('POST', `/accounts/${linked.phone}/receipt`, receipt)).status).toBe(200);
    await played;
    fixture.sim.autoReceipts = 'read';

    const group = linked.groups[0];
    const member = group.participants.find((participant) => participant.jid !== linked.jid)!;
    const renamed = client.waitForEvent('groups.update', (updates) =>
      updates.some((update) => update.subject === 'via curl'),
    );
    const event = { group: group.id, by: member.pn, subject: 'via curl' };
    expect((await call('POST', `/accounts/${linked.phone}/group-event`, event)).status).toBe(200);
    await renamed;
  });

  it('serves the profile pictures it announces', async () => {
    const url = await client.sock.profilePictureUrl(linked.contacts[0].jid);
    expect(url).toContain(fixture.sim.httpUrl);
    const picture = await fetch(url!);
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    expect((await picture.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('POST /accounts/:phone/kick and /drop end the connection', async () => {
    let closed = client.waitForClose();
    expect((await call('POST', `/accounts/${linked.phone}/kick`, { code: 515 })).body).toEqual({
      kicked: 1,
    });
    expect(await closed).toBe(DisconnectReason.restartRequired);
    connect();
    await client.waitForOpen();
    closed = client.waitForClose();
    expect((await call('POST', `/accounts/${linked.phone}/drop`)).body).toEqual({ dropped: 1 });
    expect(await closed).toBe(DisconnectReason.connectionClosed);
  });

  it('answers errors as JSON with a status', async () => {
    expect(await call('GET', '/accounts/123456789')).toEqual({
      status: 404,
      body: { error: 'no simulated account 123456789' },
    });
    expect(
      (await call('POST', '/scan', { qr: 'https://wa.me/settings/linked_devices#2@gone,a,b,c,1' }))
        .status,
    ).toBe(404);
    expect(
      (await call('POST', `/accounts/${linked.phone}/inbound`, { from: linked.contacts[0].pn }))
        .status,
    ).toBe(400);
    expect(
      (await call('POST', `/accounts/${linked.phone}/presence`, { from: '1', state: 'dancing' }))
        .status,
    ).toBe(400);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect((await call('GET', '/scan')).status).toBe(405);
  });
});
