import type { Socket } from 'socket.io-client';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { Body, json, linkSession, subscriber } from '../support/messaging-harness';
import { emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

const SESSION = 'cmd-1';
const STRANGER = '19990000042';

interface Check {
  phoneNumber: string;
  normalized: string | null;
  exists: boolean;
  jid: string | null;
}

describe(`check number, profile info, typing and read marks (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let account: SimAccount;
  let contact: { pn: string; jid: string; lid: string; name: string };
  let socket: Socket;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(sim, { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0' }, db);
    ({ account } = await linkSession(gateway, sim, SESSION));
    contact = account.contacts[0];
    socket = await subscriber(gateway, SESSION);
  });
  afterAll(async () => {
    socket?.close();
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  it('GET /sessions/:id/check/:phone tells a known number from an unknown one', async () => {
    const known = await json<Check>(
      await gateway.request(`/sessions/${SESSION}/check/${encodeURIComponent(`+${contact.pn}`)}`),
    );
    expect(known).toMatchObject({
      success: true,
      message: 'Phone number checked',
      data: {
        phoneNumber: `+${contact.pn}`,
        normalized: contact.pn,
        exists: true,
        jid: contact.jid,
      },
    });
    const unknown = await json<Check>(
      await gateway.request(`/sessions/${SESSION}/check/${STRANGER}`),
    );
    expect(unknown.data).toEqual({
      phoneNumber: STRANGER,
      normalized: STRANGER,
      exists: false,
      jid: null,
    });
    const bad = await gateway.request(`/sessions/${SESSION}/check/hello`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors?.[0].field).toBe('phoneNumber');
    const noSession = await gateway.request(`/sessions/nope/check/${contact.pn}`);
    expect(noSession.status).toBe(404);
  });

  it('POST /sessions/:id/check answers each of many numbers; more than 500 is a 400', async () => {
    const numbers = [contact.pn, account.contacts[1].pn, STRANGER, 'not-a-number'];
    const response = await gateway.post(`/sessions/${SESSION}/check`, { phoneNumbers: numbers });
    expect(response.status).toBe(200);
    const body = await json<Check[]>(response);
    expect((body as Body<Check[]> & { count: number }).count).toBe(4);
    expect(body.data.map((check) => [check.phoneNumber, check.exists])).toEqual([
      [contact.pn, true],
      [account.contacts[1].pn, true],
      [STRANGER, false],
      ['not-a-number', false],
    ]);
    expect(body.data[3].normalized).toBeNull();

    const tooMany = await gateway.post(`/sessions/${SESSION}/check`, {
      phoneNumbers: Array.from(
        { length: 501 },
        (_, index) => `1555${String(index).padStart(7, '0')}`,
      ),
    });
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).errors?.[0].field).toBe('phoneNumbers');
  });

  it('check_phone_number answers phone_check_result, or phone_check_error', async () => {
    const result = nextEvent<Record<string, unknown>>(socket, 'phone_check_result');
    const ack = await emitWithAck(socket, 'check_phone_number', {
      sessionId: SESSION,
      phoneNumber: contact.pn,
    });
    expect(ack.success).toBe(true);
    expect(await result).toEqual({
      sessionId: SESSION,
      phoneNumber: contact.pn,
      exists: true,
      jid: contact.jid,
    });

    const error = nextEvent<Record<string, unknown>>(socket, 'phone_check_error');
    const failed = await emitWithAck(socket, 'check_phone_number', {
      sessionId: 'ghost',
      phoneNumber: contact.pn,
    });
    expect(failed).toEqual({ success: false, message: 'Session not found' });
    expect(await error).toEqual({
      sessionId: 'ghost',
      phoneNumber: contact.pn,
      message: 'Session not found',
    });
  });

  it('profile info over REST and get_profile_info → profile_info', async () => {
    // a message from the contact teaches the gateway its push name
    const inbound = nextEvent(socket, 'message_received');
    await account.sendText(contact.pn, 'hi there');
    await inbound;

    const response = await gateway.request(`/sessions/${SESSION}/profile/${contact.pn}`);
    expect(response.status).toBe(200);
    const body = await json<Record<string, unknown>>(response);
    expect(body.data).toMatchObject({
      phoneNumber: contact.pn,
      jid: contact.jid,
      name: contact.name,
      status: `Hi, I am ${contact.name}`,
    });
    expect(body.data).toHaveProperty('pictureUrl');

    const event = nextEvent<{ profileInfo: Record<string, unknown> }>(socket, 'profile_info');
    await emitWithAck(socket, 'get_profile_info', { sessionId: SESSION, phoneNumber: contact.pn });
    expect(await event).toMatchObject({
      sessionId: SESSION,
      phoneNumber: contact.pn,
      profileInfo: { name: contact.name, status: `Hi, I am ${contact.name}` },
    });

    const stranger = await gateway.request(`/sessions/${SESSION}/profile/${STRANGER}`);
    expect(stranger.status).toBe(400);
    expect((await json(stranger)).message).toBe(`The number ${STRANGER} is not on WhatsApp`);
  });

  it('typing over REST and send_typing reach the contact as chat states', async () => {
    const composing = sim.waitFor(
      'client-presence',
      (event) => event.phone === account.phone && event.state === 'composing',
    );
    const response = await gateway.post(`/sessions/${SESSION}/typing`, {
      to: contact.pn,
      isTyping: true,
    });
    expect(response.status).toBe(200);
    expect((await json(response)).data).toEqual({
      to: contact.pn,
      jid: contact.jid,
      isTyping: true,
    });
    expect((await composing).to).toBe(contact.jid);

    const paused = sim.waitFor(
      'client-presence',
      (event) => event.phone === account.phone && event.state === 'paused',
    );
    const ack = await emitWithAck(socket, 'send_typing', {
      sessionId: SESSION,
      to: contact.pn,
      isTyping: false,
    });
    expect(ack.success).toBe(true);
    expect((await paused).to).toBe(contact.jid);

    const bad = await gateway.post(`/sessions/${SESSION}/typing`, { to: contact.pn });
    expect(bad.status).toBe(400);
  });

  it('marks messages read by stored id (REST) and by message key (read_message)', async () => {
    const first = nextEvent<{ message: { id: string } }>(socket, 'message_received');
    const { id } = await account.sendText(contact.pn, 'please read me');
    await first;
    const receipt = sim.waitFor(
      'client-receipt',
      (event) => event.type === 'read' && event.ids.includes(id),
    );
    const response = await gateway.post(`/sessions/${SESSION}/read`, { messageId: id });
    expect(response.status).toBe(200);
    expect((await json(response)).data).toEqual({ read: [id] });
    await receipt;
    const [row] = (
      await json<{ status: string }[]>(
        await gateway.request(`/api/v1/messages?user_token=${SESSION}&message_id=${id}`),
      )
    ).data;
    expect(row.status).toBe('read');

    const second = nextEvent<{ message: { id: string } }>(socket, 'message_received');
    const { id: keyed } = await account.sendText(contact.pn, 'and me');
    await second;
    const keyedReceipt = sim.waitFor(
      'client-receipt',
      (event) => event.type === 'read' && event.ids.includes(keyed),
    );
    const ack = await emitWithAck(socket, 'read_message', {
      sessionId: SESSION,
      messageKey: { remoteJid: contact.jid, id: keyed, fromMe: false },
    });
    expect(ack).toMatchObject({ success: true, data: { read: [keyed] } });
    await keyedReceipt;

    const unknown = await gateway.post(`/sessions/${SESSION}/read`, { messageId: 'NOPE' });
    expect(unknown.status).toBe(404);
    const empty = await gateway.post(`/sessions/${SESSION}/read`, {});
    expect(empty.status).toBe(400);
    const error = nextEvent<{ message: string }>(socket, 'read_error');
    const badAck = await emitWithAck(socket, 'read_message', {
      sessionId: SESSION,
      messageKey: 'x',
    });
    expect(badAck.success).toBe(false);
    expect((await error).message).toContain('Validation failed');
  });

  it("lists chats with their last message and unread count, and a chat's history", async () => {
    const response = await gateway.request(`/sessions/${SESSION}/chats`);
    expect(response.status).toBe(200);
    const chats = await json<
      {
        chatJid: string;
        unreadCount: number;
        messageCount: number;
        lastMessage: { text: string };
      }[]
    >(response);
    const chat = chats.data.find((candidate) => candidate.chatJid === contact.jid);
    // three received: "hi there" (unread), "please read me" and "and me" (both marked read)
    expect(chat).toMatchObject({
      isGroup: false,
      messageCount: 3,
      unreadCount: 1,
      lastMessage: { text: 'and me', fromMe: false, status: 'read' },
    });

    const history = await json<{ text: string }[]>(
      await gateway.request(
        `/sessions/${SESSION}/chats/${encodeURIComponent(contact.jid)}/messages?per_page=2`,
      ),
    );
    expect(history.data.map((message) => message.text)).toEqual(['and me', 'please read me']);
    expect(history.meta).toMatchObject({ total: 3, per_page: 2, last_page: 2 });
    expect((await gateway.request('/sessions/ghost/chats')).status).toBe(404);
  });
});
