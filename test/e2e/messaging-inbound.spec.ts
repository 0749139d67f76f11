import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { ChatPresenceEntity } from '../../src/messaging/entities/chat-presence.entity';
import { ChatPresenceStore } from '../../src/messaging/chat-presence-store.service';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import { MessageStore } from '../../src/messaging/message-store.service';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { SessionEvents } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession, subscriber } from '../support/messaging-harness';
import { nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

interface Received {
  sessionId: string;
  message: {
    id: string;
    from: string;
    chat: string;
    text: string | null;
    type: string;
    isGroup: boolean;
    pushName: string | null;
    timestamp: string;
    fromMe: boolean;
    senderPhone: string | null;
    quotedId?: string;
  };
}

interface StoredMessage {
  message_id: string;
  user_token: string;
  chat_jid: string;
  sender_jid: string;
  sender_phone: string | null;
  is_from_me: boolean;
  is_group: boolean;
  push_name: string | null;
  type: string;
  text: string | null;
  quoted_id: string | null;
  status: string;
  message: Record<string, unknown>;
}

interface Presence {
  sessionId: string;
  chat: string;
  participant: string;
  state: string;
  autoStopped: boolean;
  expiresAt: string | null;
}

describe(`inbound messages, typing and the message store (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let account: SimAccount;
  let other: SimAccount;
  let contact: { pn: string; jid: string; lid: string; name: string };
  let inbox: Socket;
  let otherInbox: Socket;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(sim, {}, db);
    ({ account } = await linkSession(gateway, sim, 'inbox-1'));
    ({ account: other } = await linkSession(gateway, sim, 'inbox-2'));
    contact = account.contacts[0];
    inbox = await subscriber(gateway, 'inbox-1');
    otherInbox = await subscriber(gateway, 'inbox-2');
  });
  afterAll(async () => {
    inbox?.close();
    otherInbox?.close();
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  const received = (socket: Socket, predicate: (event: Received) => boolean) =>
    nextEvent<Received>(socket, 'message_received', predicate);

  async function stored(query: string): Promise<StoredMessage[]> {
    const response = await gateway.request(`/api/v1/messages?${query}`);
    expect(response.status).toBe(200);
    return (await json<StoredMessage[]>(response)).data;
  }

  /** Fails the first `times` writes of the message `text` that its delivery receipt waits for. */
  function failWrites(text: string, times: number) {
    const store = gateway.app.get(MessageStore);
    const save = store.saveMessages.bind(store);
    const failing = {
      refused: 0,
      spy: jest.spyOn(store, 'saveMessages').mockImplementation(async (messages, options) => {
        if (options?.mustOwn && failing.refused < times && messages.some((m) => m.text === text)) {
          failing.refused += 1;
          throw new Error('database down');
        }
        return save(messages, options);
      }),
    };
    return failing;
  }

  it('stores an inbound text once and pushes message_received to that session only', async () => {
    let leaked = false;
    const leak = (event: Received) => {
      leaked ||= event.sessionId !== 'inbox-2';
    };
    otherInbox.on('message_received', leak);
    const event = received(inbox, (e) => e.message.text === 'hello gateway');
    const { id } = await account.sendText(contact.pn, 'hello gateway');
    const { sessionId, message } = await event;
    expect(sessionId).toBe('inbox-1');
    expect(message).toMatchObject({
      id,
      from: contact.jid,
      chat: contact.jid,
      text: 'hello gateway',
      type: 'text',
      isGroup: false,
      fromMe: false,
      pushName: contact.name,
      senderPhone: contact.pn,
    });
    expect(Number.isNaN(Date.parse(message.timestamp))).toBe(false);

    // A message to the other session afterwards: once it is in, the first one was not leaked
    const otherEvent = received(otherInbox, (e) => e.message.text === 'for inbox 2');
    await other.sendText(other.contacts[0].pn, 'for inbox 2');
    expect((await otherEvent).sessionId).toBe('inbox-2');
    otherInbox.off('message_received', leak);
    expect(leaked).toBe(false);

    const rows = await stored(`user_token=inbox-1&message_id=${id}`);
    expect(rows).toEqual([
      expect.objectContaining({
        message_id: id,
        user_token: 'inbox-1',
        chat_jid: contact.jid,
        sender_jid: contact.jid,
        sender_phone: contact.pn,
        is_from_me: false,
        is_group: false,
        push_name: contact.name,
        type: 'text',
        text: 'hello gateway',
        status: 'delivered',
        message: { conversation: 'hello gateway' },
      }),
    ]);
  });

  it('a redelivered message changes nothing and is not pushed again', async () => {
    const first = received(inbox, (e) => e.message.text === 'only once');
    const { id } = await account.sendText(contact.pn, 'only once');
    await first;
    let repeats = 0;
    const count = (event: Received) => {
      if (event.message.id === id) {
        repeats += 1;
      }
    };
    inbox.on('message_received', count);
    await account.sendText(contact.pn, 'only once', { id });
    // per session the gateway handles messages in order: once the next one is in, so is the copy
    const barrier = received(inbox, (e) => e.message.text === 'after the copy');
    await account.sendText(contact.pn, 'after the copy');
    await barrier;
    inbox.off('message_received', count);
    expect(repeats).toBe(0);
    expect(await stored(`user_token=inbox-1&message_id=${id}`)).toHaveLength(1);

    // and the store itself: the same engine message twice is stored once
    const store = gateway.app.get(MessageStore);
    const message = {
      id: 'REDELIVERY-1',
      sessionId: 'inbox-1',
      chatJid: contact.jid,
      senderJid: contact.jid,
      senderPhone: contact.pn,
      fromMe: false,
      isGroup: false,
      pushName: null,
      type: 'text' as const,
      text: 'twice',
      quotedId: null,
      targetId: null,
      mentions: [],
      media: null,
      timestamp: new Date(),
      content: { conversation: 'twice' },
      status: 'delivered' as const,
    };
    expect(await store.saveMessages([message])).toHaveLength(1);
    expect(await store.saveMessages([message, { ...message }])).toEqual([]);
  });

  it('a message the store could not write is not acknowledged: the session reconnects, WhatsApp delivers it again, and it is stored and pushed once', async () => {
    const text = 'stored at the second try';
    // the database fails the first write, the one the delivery receipt waits for
    const failing = failWrites(text, 1);
    const pushed: string[] = [];
    const count = (event: Received) => {
      if (event.message.text === text) {
        pushed.push(event.message.id);
      }
    };
    inbox.on('message_received', count);
    const reconnected = nextSessionEvent(gateway, SessionEvents.Connected, 'inbox-1');
    reconnected.catch(() => undefined); // awaited below, unless an earlier step failed
    const requeued = sim.waitFor('requeued', (event) => event.phone === account.phone);
    requeued.catch(() => undefined);
    try {
      const { id } = await account.sendText(contact.pn, text);
      // no receipt: the simulator takes it back when the gateway closes the connection
      expect((await requeued).ids).toContain(id);
      await reconnected;
      const barrier = received(inbox, (e) => e.message.text === 'after the second try');
      await account.sendText(contact.pn, 'after the second try');
      await barrier;
      expect(failing.refused).toBe(1);
      expect(pushed).toEqual([id]);
      expect(await stored(`user_token=inbox-1&message_id=${id}`)).toHaveLength(1);
    } finally {
      failing.spy.mockRestore();
      inbox.off('message_received', count);
    }
  });

  it('while the store keeps failing, the session waits longer before each reconnect, and the message is stored once when it works again', async () => {
    const text = 'stored at the fourth try';
    const failing = failWrites(text, 3);
    const reasons: string[] = [];
    const onStatus = (event: { reason?: string }) => {
      if (event.reason?.includes('Message not stored')) {
        reasons.push(event.reason);
      }
    };
    inbox.on('session_status', onStatus);
    try {
      const event = received(inbox, (e) => e.message.text === text);
      const { id } = await account.sendText(contact.pn, text);
      expect((await event).message.id).toBe(id);
      expect(failing.refused).toBe(3);
      // 1, 2 and 3 in a row, each wait in [½, 1] of a doubling ceiling
      expect(reasons.map((reason) => /\((\d+) in a row\)/.exec(reason)?.[1])).toEqual([
        '1',
        '2',
        '3',
      ]);
      const waits = reasons.map((reason) => Number(/reconnecting in ([\d.]+)s/.exec(reason)?.[1]));
      // (WA_RECONNECT_BASE_DELAY_MS 200 in the tests: the third waits 0.4 to 0.8 s, the first at
      // most 0.2 s; a close counted as a first failed attempt every time would wait 0.1 to 0.2 s)
      expect(waits[2]).toBeGreaterThanOrEqual(0.4);
      expect(waits[2]).toBeGreaterThan(waits[0]);
      expect(await stored(`user_token=inbox-1&message_id=${id}`)).toHaveLength(1);
    } finally {
      failing.spy.mockRestore();
      inbox.off('session_status', onStatus);
    }
  });

  it('a message whose row the database refuses (an id longer than its column) is acknowledged, and the session stays connected', async () => {
    // a sender chooses its message ids; the column holds 128 characters (MySQL refuses more,
    // SQLite does not check): refused at every delivery, it must not close the connection at
    // every login
    const id = `3EB0${'A'.repeat(196)}`;
    let closed = 0;
    const stopCounting = sim.on('closed', (event) => {
      if (event.phone === account.phone) {
        closed += 1;
      }
    });
    const receipt = sim.waitFor('client-receipt', (event) => event.ids.includes(id));
    try {
      await account.sendText(contact.pn, 'a long id', { id });
      await receipt;
      // per session the gateway handles messages in order: once the next one is in, the long
      // one was handled
      const barrier = received(inbox, (e) => e.message.text === 'after the long id');
      await account.sendText(contact.pn, 'after the long id');
      await barrier;
      expect(closed).toBe(0);
      // (the API's message_id filter takes 128 characters at most)
      const rows = await gateway.app
        .get(DataSource)
        .getRepository(MessageEntity)
        .countBy({ sessionId: 'inbox-1', messageId: id });
      expect(rows).toBe(testTier() === 'mysql' ? 0 : 1);
    } finally {
      stopCounting();
    }
  });

  it('filters empty messages (003 "pesan kosong")', async () => {
    const { id } = await account.sendMessage(contact.pn, { conversation: '   ' });
    const barrier = received(inbox, (e) => e.message.text === 'after the empty one');
    await account.sendText(contact.pn, 'after the empty one');
    await barrier;
    expect(await stored(`user_token=inbox-1&message_id=${id}`)).toEqual([]);
  });

  it('stores group messages with the participant as sender', async () => {
    const group = account.groups[0];
    const member = group.participants.find((participant) => participant.pn !== account.phone);
    if (!member) {
      throw new Error('the group has no other member');
    }
    const event = received(inbox, (e) => e.message.text === 'hi all');
    const { id } = await account.sendText(member.pn, 'hi all', { group: group.id });
    expect((await event).message).toMatchObject({
      id,
      chat: group.id,
      from: member.jid,
      isGroup: true,
      senderPhone: member.pn,
    });
    const [row] = await stored(`user_token=inbox-1&chat_jid=${encodeURIComponent(group.id)}`);
    expect(row).toMatchObject({ message_id: id, is_group: true, sender_jid: member.jid });
  });

  it('keeps a LID chat as the id and fills the phone number from the envelope', async () => {
    const event = received(inbox, (e) => e.message.text === 'from my lid');
    await account.sendText(contact.pn, 'from my lid', { addressing: 'lid' });
    const { message } = await event;
    expect(message.chat).toBe(contact.lid);
    expect(message.senderPhone).toBe(contact.pn);
  });

  it('reads replies with their quoted id', async () => {
    const original = received(inbox, (e) => e.message.text === 'question?');
    const { id: quoted } = await account.sendText(contact.pn, 'question?');
    await original;
    const event = received(inbox, (e) => e.message.text === 'answer');
    await account.sendMessage(contact.pn, {
      extendedTextMessage: { text: 'answer', contextInfo: { stanzaId: quoted } },
    });
    expect((await event).message.quotedId).toBe(quoted);
  });

  it('pages and filters /api/v1/messages, and rejects a bad filter with 400', async () => {
    const response = await gateway.request('/api/v1/messages?user_token=inbox-1&per_page=2&page=1');
    const body = await json<StoredMessage[]>(response);
    expect(body.data).toHaveLength(2);
    expect(body.meta).toMatchObject({ page: 1, per_page: 2 });
    expect(body.meta?.total).toBeGreaterThanOrEqual(6);
    expect(body.meta?.last_page).toBe(Math.ceil((body.meta?.total ?? 0) / 2));

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await stored(`user_token=inbox-1&from=${future}`)).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await stored(`user_token=inbox-1&from=${past}&to=${future}`)).length).toBe(
      body.meta?.total,
    );
    expect(await stored('user_token=nobody')).toEqual([]);

    const bad = await gateway.request('/api/v1/messages?from=yesterday&per_page=9999');
    expect(bad.status).toBe(400);
    const error = await json(bad);
    expect(error.success).toBe(false);
    expect(error.errors?.map((field) => field.field).sort()).toEqual(['from', 'per_page']);
  });

  it('stores typing as composing with expires_at, then auto-stops it 10 s later', async () => {
    const composing = nextEvent<Presence>(
      inbox,
      'chat_presence',
      (e) => e.participant === contact.jid && e.state === 'composing',
    );
    const sentAt = Date.now();
    account.sendPresence(contact.pn, 'composing');
    const event = await composing;
    expect(event).toMatchObject({ sessionId: 'inbox-1', chat: contact.jid, autoStopped: false });
    const expiresAt = Date.parse(event.expiresAt ?? '');
    expect(expiresAt - sentAt).toBeGreaterThanOrEqual(9_000);
    expect(expiresAt - sentAt).toBeLessThanOrEqual(11_000);

    const list = async (query: string) =>
      (
        await json<Record<string, unknown>[]>(
          await gateway.request(`/api/v1/chat-presences?${query}`),
        )
      ).data;
    const chat = encodeURIComponent(contact.jid);
    expect(await list(`user_token=inbox-1&chat_jid=${chat}&state=composing`)).toEqual([
      expect.objectContaining({
        user_token: 'inbox-1',
        chat_jid: contact.jid,
        sender_jid: contact.jid,
        state: 'composing',
        auto_stopped: false,
        expires_at: event.expiresAt,
      }),
    ]);

    // the clock moves past the expiry (no 10 s sleep): the store settles it as paused
    const stopped = nextEvent<Presence>(
      inbox,
      'chat_presence',
      (e) => e.participant === contact.jid && e.state === 'paused',
    );
    const presences = gateway.app.get(ChatPresenceStore);
    expect(await presences.settleExpired(new Date(expiresAt - 1))).toBe(0);
    expect(await presences.settleExpired(new Date(expiresAt + 1))).toBe(1);
    expect(await stopped).toMatchObject({ autoStopped: true, state: 'paused' });
    expect(await list(`user_token=inbox-1&chat_jid=${chat}`)).toEqual([
      expect.objectContaining({ state: 'paused', auto_stopped: true, expires_at: event.expiresAt }),
    ]);
    expect(await list(`user_token=inbox-1&state=composing`)).toEqual([]);
  });

  it('an explicit paused is stored as such (not auto-stopped)', async () => {
    const second = account.contacts[1];
    const typing = nextEvent<Presence>(inbox, 'chat_presence', (e) => e.participant === second.jid);
    account.sendPresence(second.pn, 'composing');
    await typing;
    const paused = nextEvent<Presence>(
      inbox,
      'chat_presence',
      (e) => e.participant === second.jid && e.state === 'paused',
    );
    account.sendPresence(second.pn, 'paused');
    expect(await paused).toMatchObject({ autoStopped: false, expiresAt: null });
  });

  it('settles typing that expired while the gateway was down at the next boot', async () => {
    const third = account.contacts[2];
    const typing = nextEvent<Presence>(inbox, 'chat_presence', (e) => e.participant === third.jid);
    account.sendPresence(third.pn, 'recording');
    await typing;
    // the gateway stops; its typing row is older than its expiry by the time it boots again
    await gateway.app
      .get(DataSource)
      .getRepository(ChatPresenceEntity)
      .update(
        { sessionId: 'inbox-1', participantJid: third.jid },
        { expiresAt: new Date(Date.now() - 1_000) },
      );
    inbox.close();
    otherInbox.close();
    await gateway.close();
    gateway = await startGateway(sim, {}, db);
    const rows = (
      await json<Record<string, unknown>[]>(
        await gateway.request(
          `/api/v1/chat-presences?user_token=inbox-1&chat_jid=${encodeURIComponent(third.jid)}`,
        ),
      )
    ).data;
    expect(rows).toEqual([expect.objectContaining({ state: 'paused', auto_stopped: true })]);
  });
});
