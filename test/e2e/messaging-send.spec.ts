import { proto } from '@whiskeysockets/baileys';
import type { Socket } from 'socket.io-client';
import { MessageStore } from '../../src/messaging/message-store.service';
import { Messenger } from '../../src/whatsapp/messenger';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { Body, json, linkSession, subscriber } from '../support/messaging-harness';
import { emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

interface Sent {
  messageId: string;
  to: string;
  chatJid: string;
  type: string;
  message: string | null;
  status: string;
  timestamp: string;
}

interface StatusEvent {
  sessionId: string;
  messageId: string;
  status: string;
  participant: string | null;
}

const SESSION = 'out-1';

describe(`sending messages over REST and socket.io (${testTier()})`, () => {
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
    gateway = await startGateway(
      sim,
      { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0', DEFAULT_COUNTRY_CODE: '1' },
      db,
    );
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

  async function send(body: Record<string, unknown>, session = SESSION) {
    const response = await gateway.post(`/sessions/${session}/messages`, body);
    return { status: response.status, body: await json<Sent>(response) };
  }

  async function sendOk(body: Record<string, unknown>): Promise<Sent> {
    const { status, body: envelope } = await send(body);
    expect({ status, message: envelope.message }).toEqual({ status: 201, message: 'Message sent' });
    return envelope.data;
  }

  /** Every message_status from now on, and a wait for one of them. */
  function recordStatuses() {
    const seen: StatusEvent[] = [];
    const record = (event: StatusEvent) => seen.push(event);
    socket.on('message_status', record);
    return {
      seen,
      stop: () => socket.off('message_status', record),
      waitFor: (messageId: string, status: string): Promise<StatusEvent> => {
        const match = (e: StatusEvent) => e.messageId === messageId && e.status === status;
        const earlier = seen.find(match);
        return earlier
          ? Promise.resolve(earlier)
          : nextEvent<StatusEvent>(socket, 'message_status', match);
      },
    };
  }

  const decrypted = (id: string) => account.waitForMessage((message) => message.id === id);

  it('sends a text to a number in every common form; the phone decrypts it', async () => {
    const local = `0${contact.pn.slice(1)}`; // DEFAULT_COUNTRY_CODE is 1 here
    const spaced = `+${contact.pn.slice(0, 1)} ${contact.pn.slice(1, 4)}-${contact.pn.slice(4, 7)}-${contact.pn.slice(7)}`;
    for (const [index, to] of [contact.pn, spaced, local, contact.jid].entries()) {
      const sent = await sendOk({ to, message: `hello ${index}` });
      expect(sent).toMatchObject({ to, chatJid: contact.jid, type: 'text' });
      // the answer gives the status at that moment: receipts may already be in
      expect(['sent', 'delivered', 'read']).toContain(sent.status);
      const received = await decrypted(sent.messageId);
      expect(received.to).toBe(contact.jid);
      expect(received.text).toBe(`hello ${index}`);
      // link previews are off: a plain text goes out without preview fields
      expect(received.message.extendedTextMessage?.matchedText ?? null).toBeNull();
    }
  });

  it('stores the sent message and moves it to delivered then read, never backwards', async () => {
    const statuses = recordStatuses();
    const sent = await sendOk({ to: contact.pn, message: 'receipts please' });
    await statuses.waitFor(sent.messageId, 'read');
    statuses.stop();
    expect(
      statuses.seen.filter((e) => e.messageId === sent.messageId).map((e) => e.status),
    ).toEqual(['delivered', 'read']);

    const rows = await json<{ status: string; message_id: string; event_timestamp: string }[]>(
      await gateway.request(
        `/api/v1/message-statuses?user_token=${SESSION}&message_id=${sent.messageId}`,
      ),
    );
    expect(rows.data.map((row) => row.status).sort()).toEqual(['delivered', 'read']);
    const [row] = (
      await json<{ status: string; is_from_me: boolean; text: string }[]>(
        await gateway.request(
          `/api/v1/messages?user_token=${SESSION}&message_id=${sent.messageId}`,
        ),
      )
    ).data;
    expect(row).toMatchObject({ status: 'read', is_from_me: true, text: 'receipts please' });

    // a late delivery receipt changes nothing: read stays read, nothing new is stored
    const store = gateway.app.get(MessageStore);
    const late = {
      sessionId: SESSION,
      messageId: sent.messageId,
      chatJid: contact.jid,
      participantJid: null,
      status: 'delivered' as const,
      at: new Date(),
    };
    expect(await store.saveStatuses([late])).toEqual([]);
    const [after] = (
      await json<{ status: string }[]>(
        await gateway.request(
          `/api/v1/messages?user_token=${SESSION}&message_id=${sent.messageId}`,
        ),
      )
    ).data;
    expect(after.status).toBe('read');
  });

  it('stores the longest text either way (65,536 characters; 4-byte emoji are 4 bytes each)', async () => {
    const longest = '🙂'.repeat(16_384) + 'a'.repeat(32_768); // 65,536 UTF-16 units, 98,304 bytes
    expect(longest).toHaveLength(65_536);
    const stored = async (messageId: string) =>
      (
        await json<{ text: string }[]>(
          await gateway.request(`/api/v1/messages?user_token=${SESSION}&message_id=${messageId}`),
        )
      ).data;
    const sent = await sendOk({ to: contact.pn, message: longest });
    expect((await decrypted(sent.messageId)).text).toBe(longest);
    expect((await stored(sent.messageId)).map((row) => row.text)).toEqual([longest]);

    // inbound: message_received goes out once the message is stored
    const inbound = nextEvent<{ message: { text: string } }>(
      socket,
      'message_received',
      (event) => event.message.text === longest,
    );
    const { id } = await account.sendText(contact.pn, longest);
    await inbound;
    expect((await stored(id)).map((row) => row.text)).toEqual([longest]);
  });

  it('send_whatsapp_message answers message_sent and the ack envelope', async () => {
    const event = nextEvent<Record<string, unknown>>(socket, 'message_sent');
    const ack = await emitWithAck<Body<Sent>>(socket, 'send_whatsapp_message', {
      sessionId: SESSION,
      to: contact.pn,
      message: 'over socket.io',
      type: 'text',
    });
    expect(ack).toMatchObject({ success: true, message: 'Message sent' });
    const payload = await event;
    expect(payload).toMatchObject({
      sessionId: SESSION,
      to: contact.pn,
      message: 'over socket.io',
      messageId: ack.data.messageId,
      type: 'text',
    });
    expect(Number.isNaN(Date.parse(String(payload.timestamp)))).toBe(false);
    expect((await decrypted(ack.data.messageId)).text).toBe('over socket.io');
  });

  it('send_error with the documented envelope for bad input, unknown sessions and strangers', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sessionId: 'nobody', to: contact.pn, message: 'x' }, 'Session not found'],
      [{ sessionId: SESSION, to: 'not a number', message: 'x' }, 'Validation failed'],
      [{ sessionId: SESSION, to: contact.pn, type: 'text' }, 'Validation failed'],
      [{ sessionId: SESSION, to: contact.pn, message: 'x', type: 'fax' }, 'Validation failed'],
    ];
    for (const [payload, message] of cases) {
      const error = nextEvent<{ message: string; to: unknown }>(socket, 'send_error');
      const ack = await emitWithAck<{ success: boolean; message: string }>(
        socket,
        'send_whatsapp_message',
        payload,
      );
      expect(ack.success).toBe(false);
      expect(ack.message).toContain(message);
      expect(await error).toMatchObject({ to: payload.to ?? null, message: ack.message });
    }
  });

  it('rejects bad recipients, strangers (400, checked once) and unknown sessions (404)', async () => {
    const bad = await send({ to: '12ab', message: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, message: 'Validation failed' });
    expect(bad.body.errors?.[0].field).toBe('to');

    const lookup = jest.spyOn(gateway.app.get(Messenger), 'lookup');
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const stranger = await send({ to: '19990000001', message: 'x' });
        expect(stranger.status).toBe(400);
        expect(stranger.body.message).toBe('The number 19990000001 is not on WhatsApp');
      }
      expect(lookup).toHaveBeenCalledTimes(1);
    } finally {
      lookup.mockRestore();
    }

    const unknown = await send({ to: contact.pn, message: 'x' }, 'no-such-session');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ success: false, message: 'Session not found' });

    const empty = await send({ to: contact.pn });
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0].field).toBe('message');
  });

  it('sends to a LID as a LID', async () => {
    const sent = await sendOk({ to: contact.lid, message: 'to the lid' });
    expect(sent.chatJid).toBe(contact.lid);
    const received = await decrypted(sent.messageId);
    expect(received.to).toBe(contact.lid);
    expect(received.text).toBe('to the lid');
  });

  it('issues its privacy token to a contact once, not with every message (as WhatsApp Web)', async () => {
    const [, first, second] = account.contacts;
    const isFor =
      (target: { jid: string; lid: string }) =>
      (jid: string): boolean =>
        jid === target.jid || jid === target.lid;
    const issued: string[] = [];
    const stop = sim.on('privacy-tokens', (event) => {
      if (event.phone === account.phone) {
        issued.push(...event.jids);
      }
    });
    const issuedTo = (target: { jid: string; lid: string }) =>
      sim.waitFor(
        'privacy-tokens',
        (event) => event.phone === account.phone && event.jids.some(isFor(target)),
      );
    try {
      const firstIssued = issuedTo(first);
      await sendOk({ to: first.pn, message: 'token 0' });
      await firstIssued;
      for (let i = 1; i <= 4; i++) {
        await sendOk({ to: first.pn, message: `token ${i}` });
      }
      // the client's stanzas reach the simulator in order: once the token for a contact messaged
      // afterwards is in, a token issued again to the first one would have been seen
      const secondIssued = issuedTo(second);
      await sendOk({ to: second.pn, message: 'token to another contact' });
      await secondIssued;
      expect(issued.filter(isFor(first))).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('sends to a group with mentions; members decrypt it and their receipts are stored', async () => {
    const group = account.groups[0];
    const member = group.participants.find((participant) => participant.pn !== account.phone);
    if (!member) {
      throw new Error('the group has no other member');
    }
    const statuses = recordStatuses();
    const sent = await sendOk({
      to: group.id,
      message: `hi @${member.pn}`,
      mentions: [member.pn],
    });
    expect(sent.chatJid).toBe(group.id);
    const received = await decrypted(sent.messageId);
    expect(received.to).toBe(group.id);
    expect(received.message.extendedTextMessage?.text).toBe(`hi @${member.pn}`);
    expect(received.message.extendedTextMessage?.contextInfo?.mentionedJid).toEqual([member.jid]);
    const status = await statuses.waitFor(sent.messageId, 'delivered');
    statuses.stop();
    expect(status.participant).toMatch(/@s\.whatsapp\.net$/);
    const rows = await json<{ participant_jid: string | null }[]>(
      await gateway.request(
        `/api/v1/message-statuses?user_token=${SESSION}&message_id=${sent.messageId}&status=delivered`,
      ),
    );
    expect(rows.data.length).toBeGreaterThanOrEqual(1);
    expect(rows.data.every((row) => row.participant_jid?.endsWith('@s.whatsapp.net'))).toBe(true);
  });

  it('sends a location, a contact card and a reply', async () => {
    const location = await sendOk({
      to: contact.pn,
      type: 'location',
      location: { latitude: -6.2, longitude: 106.816666, name: 'Monas', address: 'Jakarta' },
    });
    expect((await decrypted(location.messageId)).message.locationMessage).toMatchObject({
      degreesLatitude: -6.2,
      degreesLongitude: 106.816666,
      name: 'Monas',
    });

    const card = await sendOk({
      to: contact.pn,
      type: 'contact',
      contact: { fullName: 'Yoga Pratama', phoneNumber: '+62 812-3378-4490' },
    });
    const vcard = (await decrypted(card.messageId)).message.contactMessage;
    expect(vcard?.displayName).toBe('Yoga Pratama');
    expect(vcard?.vcard).toContain('waid=6281233784490:+6281233784490');

    const question = await sendOk({ to: contact.pn, message: 'question' });
    const reply = await sendOk({
      to: contact.pn,
      message: 'the answer',
      quotedMessageId: question.messageId,
    });
    const context = (await decrypted(reply.messageId)).message.extendedTextMessage?.contextInfo;
    expect(context?.stanzaId).toBe(question.messageId);
    expect(context?.quotedMessage?.extendedTextMessage?.text).toBe('question');
    const missing = await send({ to: contact.pn, message: 'x', quotedMessageId: 'NOPE' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Message NOPE not found');
  });

  it('reacts to, edits and deletes (for everyone) our own message', async () => {
    const original = await sendOk({ to: contact.pn, message: 'typo mesage' });

    const reaction = await sendOk({
      to: contact.pn,
      type: 'reaction',
      messageId: original.messageId,
      emoji: '👍',
    });
    expect((await decrypted(reaction.messageId)).message.reactionMessage).toMatchObject({
      text: '👍',
      key: { id: original.messageId },
    });

    const edit = await sendOk({
      to: contact.pn,
      type: 'edit',
      messageId: original.messageId,
      message: 'typo message',
    });
    const edited = (await decrypted(edit.messageId)).message;
    const editProtocol = edited.protocolMessage ?? edited.editedMessage?.message?.protocolMessage;
    expect(editProtocol?.type).toBe(proto.Message.ProtocolMessage.Type.MESSAGE_EDIT);
    expect(editProtocol?.key?.id).toBe(original.messageId);
    expect(editProtocol?.editedMessage?.extendedTextMessage?.text).toBe('typo message');

    const revoke = await sendOk({ to: contact.pn, type: 'delete', messageId: original.messageId });
    const revoked = (await decrypted(revoke.messageId)).message.protocolMessage;
    expect(revoked?.type).toBe(proto.Message.ProtocolMessage.Type.REVOKE);
    expect(revoked?.key?.id).toBe(original.messageId);

    // someone else's message cannot be edited
    const inbound = nextEvent<{ message: { id: string } }>(socket, 'message_received', (e) =>
      Boolean(e.message.id),
    );
    const { id: theirs } = await account.sendText(contact.pn, 'not yours');
    await inbound;
    const refused = await send({
      to: contact.pn,
      type: 'edit',
      messageId: theirs,
      message: 'changed',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('Only messages sent from this session can be edited');
  });

  it('answers 400 "Session tidak terhubung" for a session that is not connected', async () => {
    expect((await gateway.post('/sessions', { sessionId: 'out-idle' })).status).toBe(201);
    const response = await send({ to: contact.pn, message: 'x' }, 'out-idle');
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(
      /^Session tidak terhubung\. Status: (connecting|qr_waiting)$/,
    );
  });
});
