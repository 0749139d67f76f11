import { MalformedWebhookEvent } from '../webhook-errors';
import {
  chatPresenceFrom003,
  messageFrom003,
  presenceFrom003,
  statusUpdatesFrom003,
} from './ingest-mappers';

import { CHAT_PRESENCE, MESSAGE, READ_RECEIPT } from '../../../test/support/samples-003';

/** The `detail` (what the 400 says) of the MalformedWebhookEvent `run` throws. */
function detailOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedWebhookEvent) {
      return error.detail;
    }
    throw error;
  }
  throw new Error('did not throw');
}

describe('003 ingest mappers', () => {
  it('maps the 003 Message sample to a WaMessage, the +07:00 timestamp in UTC', () => {
    expect(messageFrom003('genfitywa1', MESSAGE.event)).toEqual({
      id: '53829C3632356D0F08BFB6BDB41A706F',
      sessionId: 'genfitywa1',
      chatJid: '6281233784490@s.whatsapp.net',
      senderJid: '6289668176764@s.whatsapp.net',
      senderPhone: '6289668176764',
      fromMe: true,
      isGroup: false,
      pushName: 'Yoga',
      type: 'text',
      text: 'ya',
      quotedId: null,
      targetId: null,
      mentions: [],
      media: null,
      timestamp: new Date('2025-08-14T07:55:01.000Z'),
      content: { conversation: 'ya' },
      status: 'sent',
    });
  });

  it('reads media, quotes and reactions from the message content', () => {
    const image = messageFrom003('s', {
      Info: { ...MESSAGE.event.Info, IsFromMe: false, Chat: '1203630@g.us', IsGroup: true },
      Message: {
        imageMessage: {
          caption: 'look',
          mimetype: 'image/jpeg',
          fileLength: '2048',
          contextInfo: { stanzaId: 'Q1', mentionedJid: ['628111@s.whatsapp.net'] },
        },
      },
    });
    expect(image).toMatchObject({
      type: 'image',
      text: 'look',
      quotedId: 'Q1',
      mentions: ['628111@s.whatsapp.net'],
      isGroup: true,
      status: 'delivered',
      media: { mimetype: 'image/jpeg', fileLength: 2048, caption: 'look', ptt: false },
    });
    const reaction = messageFrom003('s', {
      Info: MESSAGE.event.Info,
      Message: { reactionMessage: { text: '👍', key: { id: 'TARGET' } } },
    });
    expect(reaction).toMatchObject({ type: 'reaction', text: '👍', targetId: 'TARGET' });
  });

  it('says which field is wrong', () => {
    const bad = (event: Record<string, unknown>) => () => messageFrom003('s', event);
    expect(bad({})).toThrow(new MalformedWebhookEvent('event.Info must be an object'));
    expect(detailOf(bad({ Info: { ...MESSAGE.event.Info, ID: '' } }))).toBe(
      'event.Info.ID must be a non-empty string',
    );
    expect(detailOf(bad({ Info: { ...MESSAGE.event.Info, Timestamp: 'yesterday' } }))).toBe(
      'event.Info.Timestamp must be an ISO 8601 date-time with an offset, e.g. 2025-08-14T14:55:01+07:00',
    );
  });

  it('maps the 003 ReadReceipt sample to a read status per message id', () => {
    expect(statusUpdatesFrom003('genfitywa1', READ_RECEIPT.event, READ_RECEIPT.state)).toEqual([
      {
        sessionId: 'genfitywa1',
        messageId: '53829C3632356D0F08BFB6BDB41A706F',
        chatJid: '6281233784490@s.whatsapp.net',
        participantJid: '6281233784490:24@s.whatsapp.net',
        status: 'read',
        at: new Date('2025-08-14T07:55:54.000Z'),
      },
    ]);
    expect(
      statusUpdatesFrom003('s', { ...READ_RECEIPT.event, Type: '' }, 'Delivered')?.[0],
    ).toMatchObject({ status: 'delivered' });
    expect(statusUpdatesFrom003('s', { ...READ_RECEIPT.event, Type: 'retry' }, null)).toBeNull();
    expect(
      detailOf(() => statusUpdatesFrom003('s', { ...READ_RECEIPT.event, MessageIDs: [] }, null)),
    ).toBe('event.MessageIDs must be a non-empty list of message ids');
  });

  it('maps the 003 ChatPresence sample (and Media audio as recording)', () => {
    const now = new Date('2025-08-14T08:00:00Z');
    expect(chatPresenceFrom003('genfitywa1', CHAT_PRESENCE.event, now)).toEqual({
      sessionId: 'genfitywa1',
      chatJid: '6281233784490@s.whatsapp.net',
      participantJid: '6281233784490@s.whatsapp.net',
      state: 'composing',
      at: now,
    });
    expect(chatPresenceFrom003('s', { ...CHAT_PRESENCE.event, Media: 'audio' }, now).state).toBe(
      'recording',
    );
    expect(
      detailOf(() => chatPresenceFrom003('s', { ...CHAT_PRESENCE.event, State: 'typing' })),
    ).toBe('event.State must be "composing" or "paused"');
  });

  it('maps Presence (online/offline) to the contact chat', () => {
    const now = new Date();
    expect(
      presenceFrom003('s', { From: '6281233784490:3@s.whatsapp.net', Unavailable: true }, now),
    ).toEqual({
      sessionId: 's',
      chatJid: '6281233784490@s.whatsapp.net',
      participantJid: '6281233784490@s.whatsapp.net',
      state: 'unavailable',
      at: now,
    });
  });
});
