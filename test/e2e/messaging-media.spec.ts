import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Socket } from 'socket.io-client';
import type { Repository } from 'typeorm';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import type { ReceivedMessage, SimAccount, WaSimulator } from '../wa-sim';
import { Body, json, linkSession, useLinkedGateway } from '../support/messaging-harness';
import { nextEmitted, type Listenable } from '../support/next-emitted';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  MEDIA_SAVED_EVENT,
  type MediaSavedEvent,
} from '../../src/messaging/media-auto-download.service';
import { emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

const SESSION = 'media-1';
/** The session MEDIA_AUTO_DOWNLOAD names. */
const SAVING_SESSION = 'media-saved';

/** A 2×2 PNG (not a thumbnail-sized constant: bytes are compared). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

interface Sent {
  messageId: string;
}

interface StoredMessage {
  id: number;
  message_id: string;
  type: string;
  media_mimetype: string | null;
}

interface Received {
  sessionId: string;
  message: { id: string; type: string; text: string | null };
}

/**
 * Media both ways against the simulator's HTTPS media host (test CA): what the gateway sends is
 * downloaded and decrypted by the simulated contact and compared byte for byte; what a contact
 * sends is downloaded by the gateway on GET /api/v1/messages/:id/media.
 */
describe(`media over WhatsApp, both ways (${testTier()})`, () => {
  const mediaDir = mkdtempSync(join(tmpdir(), 'media-auto-'));
  const fixture = useLinkedGateway(SESSION, {
    MEDIA_DIR: mediaDir,
    MEDIA_AUTO_DOWNLOAD: SAVING_SESSION,
  });
  afterAll(() => rmSync(mediaDir, { recursive: true, force: true }));
  let sim: WaSimulator;
  let gateway: TestApp;
  let account: SimAccount;
  let contact: { pn: string; jid: string };
  let socket: Socket;

  beforeAll(() => {
    ({ sim, gateway, account, socket } = fixture.current);
    contact = account.contacts[0];
  });

  async function sendOk(body: Record<string, unknown>): Promise<ReceivedMessage> {
    const response = await gateway.post(`/sessions/${SESSION}/messages`, body);
    const envelope = await json<Sent>(response);
    expect({ status: response.status, message: envelope.message }).toEqual({
      status: 201,
      message: 'Message sent',
    });
    return account.waitForMessage((m) => m.id === envelope.data.messageId);
  }

  describe('outbound: the contact decrypts what the gateway sent', () => {
    it('an image over REST, byte-equal, with its caption and mimetype', async () => {
      const received = await sendOk({
        to: contact.pn,
        type: 'image',
        media: `data:image/png;base64,${PNG.toString('base64')}`,
        caption: 'a tiny picture',
      });
      expect(received.media).toMatchObject({
        type: 'image',
        mimetype: 'image/png',
        caption: 'a tiny picture',
      });
      expect(received.media?.error).toBeUndefined();
      expect(received.media?.data?.equals(PNG)).toBe(true);
    });

    it('an image over socket.io send_whatsapp_message, byte-equal, the message as caption', async () => {
      const sent = nextEvent<{ messageId: string; type: string }>(socket, 'message_sent');
      const ack = await emitWithAck<Body<Sent>>(socket, 'send_whatsapp_message', {
        sessionId: SESSION,
        to: contact.pn,
        type: 'image',
        message: 'over socket.io',
        media: PNG.toString('base64'),
      });
      expect(ack).toMatchObject({ success: true, message: 'Message sent' });
      expect(await sent).toMatchObject({ messageId: ack.data.messageId, type: 'image' });
      const received = await account.waitForMessage((m) => m.id === ack.data.messageId);
      expect(received.media).toMatchObject({
        type: 'image',
        mimetype: 'image/png',
        caption: 'over socket.io',
      });
      expect(received.media?.data?.equals(PNG)).toBe(true);
    });

    it('a document with its file name (multipart upload)', async () => {
      const file = randomBytes(70_000);
      const form = new FormData();
      form.set('to', contact.pn);
      form.set('type', 'document');
      form.set('file', new Blob([file], { type: 'application/pdf' }), 'quarterly report.pdf');
      const response = await gateway.request(`/sessions/${SESSION}/messages`, {
        method: 'POST',
        body: form,
      });
      expect(response.status).toBe(201);
      const { messageId } = (await json<Sent>(response)).data;
      const received = await account.waitForMessage((m) => m.id === messageId);
      expect(received.media).toMatchObject({
        type: 'document',
        fileName: 'quarterly report.pdf',
        mimetype: 'application/pdf',
      });
      expect(received.media?.data?.equals(file)).toBe(true);
    });

    it('a voice note (ptt)', async () => {
      const voice = randomBytes(5_000);
      const received = await sendOk({
        to: contact.pn,
        type: 'audio',
        media: voice.toString('base64'),
        mimetype: 'audio/ogg; codecs=opus',
        ptt: true,
      });
      expect(received.media).toMatchObject({
        type: 'audio',
        ptt: true,
        mimetype: 'audio/ogg; codecs=opus',
      });
      expect(received.media?.data?.equals(voice)).toBe(true);
    });
  });

  describe('inbound: GET /api/v1/messages/:id/media', () => {
    async function receiveImage(caption: string) {
      const event = nextEvent<Received>(
        socket,
        'message_received',
        (e: Received) => e.message.text === caption,
      );
      const sent = await account.sendMedia(contact.pn, {
        type: 'image',
        data: PNG,
        mimetype: 'image/png',
        caption,
      });
      await event;
      const list = await gateway.request(`/api/v1/messages?message_id=${sent.id}`);
      const [row] = (await json<StoredMessage[]>(list)).data;
      expect(row).toMatchObject({
        message_id: sent.id,
        type: 'image',
        media_mimetype: 'image/png',
      });
      return { row, directPath: sent.message.imageMessage!.directPath! };
    }

    it('downloads and decrypts an inbound image, byte-equal, with type and file name', async () => {
      const { row } = await receiveImage('inbound picture');
      const response = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      // streamed as it is decrypted: the sender's claimed length is not trusted as Content-Length
      expect(response.headers.get('content-length')).toBeNull();
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="${row.message_id}.png"; filename*=UTF-8''${row.message_id}.png`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);
    });

    it('stores a document whose sender chose an over-long file name and MIME type, cut to their columns', async () => {
      const fileName = `${'report '.repeat(60)}.pdf`; // 424 characters
      const mimetype = `application/${'x'.repeat(300)}`;
      const caption = 'a document with a long name';
      const event = nextEvent<Received>(
        socket,
        'message_received',
        (e) => e.message.text === caption,
      );
      const sent = await account.sendMedia(contact.pn, {
        type: 'document',
        data: Buffer.from('%PDF-1.4 tiny'),
        mimetype,
        fileName,
        caption,
      });
      // stored (or message_received would never come) and acknowledged
      await event;
      const [row] = (
        await json<StoredMessage[]>(await gateway.request(`/api/v1/messages?message_id=${sent.id}`))
      ).data;
      expect(row).toMatchObject({
        type: 'document',
        media_file_name: fileName.slice(0, 255),
        media_mimetype: mimetype.slice(0, 255),
      });
      const response = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('%PDF-1.4 tiny');
    });

    it('answers 404 in the envelope for an unknown message, a bad id and a message without media', async () => {
      const { id } = await account.sendText(contact.pn, 'just words');
      const event = nextEvent<Received>(
        socket,
        'message_received',
        (e: Received) => e.message.id === id,
      );
      await event;
      const [text] = (
        await json<StoredMessage[]>(await gateway.request(`/api/v1/messages?message_id=${id}`))
      ).data;
      for (const [path, message] of [
        ['/api/v1/messages/999999999/media', 'Message 999999999 not found'],
        ['/api/v1/messages/abc/media', 'Message abc not found'],
        [`/api/v1/messages/${text.id}/media`, `Message ${text.id} has no media`],
      ]) {
        const response = await gateway.request(path);
        expect({ path, status: response.status, body: await response.json() }).toEqual({
          path,
          status: 404,
          body: { success: false, message },
        });
      }
    });

    it('answers 410 when WhatsApp no longer has the media, 502 when its server is unreachable', async () => {
      const { row, directPath } = await receiveImage('soon gone');
      sim.media.expire(directPath);
      const expired = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(expired.status).toBe(410);
      expect(await expired.json()).toEqual({
        success: false,
        message: `The media of message ${row.id} can no longer be downloaded`,
        error: 'The media is no longer on WhatsApp (expired or deleted)',
      });

      const messages = gateway.app.get<Repository<MessageEntity>>(
        getRepositoryToken(MessageEntity),
      );
      const stored = await messages.findOneByOrFail({ id: String(row.id) });
      await messages.update(
        { id: String(row.id) },
        // a media host nobody listens on
        {
          mediaDownload: {
            ...stored.mediaDownload,
            url: 'https://127.0.0.1:1/v/x.enc',
            directPath: '/v/x.enc',
          },
        },
      );
      const unreachable = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(unreachable.status).toBe(502);
      expect(await unreachable.json()).toEqual({
        success: false,
        message: `The media of message ${row.id} could not be downloaded`,
        error: "WhatsApp's media server could not be reached",
      });
    });

    it('refuses a file that does not match its hash: 502 in the envelope, never the wrong bytes', async () => {
      const { row, directPath } = await receiveImage('tampered on the way');
      sim.media.tamper(directPath);
      const response = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(await response.json()).toEqual({
        success: false,
        message: `The media of message ${row.id} could not be downloaded`,
        error: "The file from WhatsApp's media server does not match the message's hash",
      });
      // the gateway goes on serving
      expect((await gateway.request('/health')).status).toBe(200);
    });

    it('auto-downloads inbound media of the sessions MEDIA_AUTO_DOWNLOAD names, served after WhatsApp dropped it', async () => {
      const { account: saving } = await linkSession(gateway, sim, SAVING_SESSION);
      // EventEmitter2's typings are wider than Listenable's; it has on/off all the same
      const bus: Listenable = gateway.app.get<EventEmitter2, Listenable>(EventEmitter2);
      const from = saving.contacts[0].pn;
      const savedEvent = nextEmitted<MediaSavedEvent>(
        bus,
        MEDIA_SAVED_EVENT,
        (e) => e.sessionId === SAVING_SESSION,
        15_000,
      );
      const sent = await saving.sendMedia(from, {
        type: 'image',
        data: PNG,
        mimetype: 'image/png',
      });
      const saved = await savedEvent;
      expect(saved).toEqual({
        sessionId: SAVING_SESSION,
        messageId: sent.id,
        path: join(mediaDir, 'received', SAVING_SESSION, `${sent.id}.png`),
      });
      expect(readFileSync(saved.path!).equals(PNG)).toBe(true);

      sim.media.expire(sent.message.imageMessage!.directPath!);
      const [row] = (
        await json<StoredMessage[]>(await gateway.request(`/api/v1/messages?message_id=${sent.id}`))
      ).data;
      const response = await gateway.request(`/api/v1/messages/${row.id}/media`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(PNG.length));
      expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);

      // a session not named saves nothing
      const unsaved = await account.sendMedia(contact.pn, {
        type: 'image',
        data: PNG,
        mimetype: 'image/png',
        caption: 'not kept',
      });
      await nextEvent<Received>(
        socket,
        'message_received',
        (e: Received) => e.message.id === unsaved.id,
      );
      expect(() => readFileSync(join(mediaDir, 'received', SESSION, `${unsaved.id}.png`))).toThrow(
        /ENOENT/,
      );
    });
  });
});
