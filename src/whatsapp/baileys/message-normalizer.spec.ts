import { proto, type WAMessage } from '@whiskeysockets/baileys';
import {
  normalizeMessage,
  presenceFromNode,
  statusesFromReceipts,
  statusesFromUpdates,
  statusesInUpsert,
} from './message-normalizer';

const ME = { jid: '6281111111111:3@s.whatsapp.net', lid: '99999@lid' };
const PEER = '6282222222222@s.whatsapp.net';

function wa(message: proto.IMessage, key: Partial<WAMessage['key']> = {}): WAMessage {
  return {
    key: { remoteJid: PEER, id: 'ID1', fromMe: false, ...key },
    message,
    messageTimestamp: 1_755_158_101,
    pushName: 'Yoga',
  };
}

describe('normalizeMessage', () => {
  it('reads a text with sender, phone and timestamp', () => {
    expect(normalizeMessage('s1', wa({ conversation: 'ya' }), ME)).toMatchObject({
      id: 'ID1',
      sessionId: 's1',
      chatJid: PEER,
      senderJid: PEER,
      senderPhone: '6282222222222',
      fromMe: false,
      isGroup: false,
      pushName: 'Yoga',
      type: 'text',
      text: 'ya',
      status: 'delivered',
      timestamp: new Date(1_755_158_101_000),
      content: { conversation: 'ya' },
    });
  });

  it('uses our own JID for our messages and the participant in groups', () => {
    const own = normalizeMessage('s1', wa({ conversation: 'hi' }, { fromMe: true }), ME);
    expect(own).toMatchObject({ senderJid: '6281111111111@s.whatsapp.net', fromMe: true });
    const group = normalizeMessage(
      's1',
      wa({ conversation: 'hi' }, { remoteJid: '123-456@g.us', participant: PEER }),
      ME,
    );
    expect(group).toMatchObject({ isGroup: true, chatJid: '123-456@g.us', senderJid: PEER });
  });

  it('keeps a LID as the id and takes the phone only from the alternative PN', () => {
    const lid = normalizeMessage(
      's1',
      wa({ conversation: 'x' }, { remoteJid: '12345@lid', remoteJidAlt: PEER }),
      ME,
    );
    expect(lid).toMatchObject({ chatJid: '12345@lid', senderPhone: '6282222222222' });
    const unknown = normalizeMessage(
      's1',
      wa({ conversation: 'x' }, { remoteJid: '12345@lid' }),
      ME,
    );
    expect(unknown?.senderPhone).toBeNull();
  });

  it('filters empty texts, status broadcasts, newsletters and plain protocol messages', () => {
    expect(normalizeMessage('s1', wa({ conversation: '  ' }), ME)).toBeNull();
    expect(
      normalizeMessage('s1', wa({ conversation: 'x' }, { remoteJid: 'status@broadcast' }), ME),
    ).toBeNull();
    expect(
      normalizeMessage('s1', wa({ conversation: 'x' }, { remoteJid: '1@newsletter' }), ME),
    ).toBeNull();
    expect(
      normalizeMessage(
        's1',
        wa({
          protocolMessage: { type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION },
        }),
        ME,
      ),
    ).toBeNull();
  });

  it('reads replies, mentions, reactions, edits and revokes', () => {
    const reply = normalizeMessage(
      's1',
      wa({
        extendedTextMessage: {
          text: 'yes @628',
          contextInfo: { stanzaId: 'Q1', mentionedJid: [PEER] },
        },
      }),
      ME,
    );
    expect(reply).toMatchObject({ type: 'text', quotedId: 'Q1', mentions: [PEER] });
    expect(
      normalizeMessage('s1', wa({ reactionMessage: { text: '👍', key: { id: 'T1' } } }), ME),
    ).toMatchObject({ type: 'reaction', text: '👍', targetId: 'T1' });
    expect(
      normalizeMessage(
        's1',
        wa({
          protocolMessage: {
            type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
            key: { id: 'T1' },
            editedMessage: { conversation: 'fixed' },
          },
        }),
        ME,
      ),
    ).toMatchObject({ type: 'edit', text: 'fixed', targetId: 'T1' });
    expect(
      normalizeMessage(
        's1',
        wa({
          protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'T1' } },
        }),
        ME,
      ),
    ).toMatchObject({ type: 'revoke', targetId: 'T1' });
  });

  it('keeps media metadata and what a download needs', () => {
    const image = normalizeMessage(
      's1',
      wa({
        imageMessage: {
          mimetype: 'image/jpeg',
          caption: 'look',
          fileLength: 1234,
          url: 'https://mmg.example/x',
          directPath: '/v/x',
          mediaKey: Buffer.from([1, 2, 3]),
        },
      }),
      ME,
    );
    expect(image).toMatchObject({
      type: 'image',
      text: 'look',
      media: {
        mimetype: 'image/jpeg',
        fileLength: 1234,
        caption: 'look',
        ptt: false,
        downloadable: { mediaType: 'image', directPath: '/v/x', mediaKey: 'AQID' },
      },
    });
    const voice = normalizeMessage('s1', wa({ audioMessage: { ptt: true, seconds: 3 } }), ME);
    expect(voice?.media).toMatchObject({ ptt: true, seconds: 3 });
  });
});

describe('statuses and presences', () => {
  it('maps receipts and message updates to statuses, skipping those without one', () => {
    const key = { remoteJid: PEER, id: 'ID1', fromMe: true };
    expect(
      statusesFromUpdates('s1', [
        {
          key,
          update: { status: proto.WebMessageInfo.Status.READ, messageTimestamp: 1_755_158_101 },
        },
        { key, update: { starred: true } },
      ]),
    ).toEqual([
      {
        sessionId: 's1',
        messageId: 'ID1',
        chatJid: PEER,
        participantJid: null,
        status: 'read',
        at: new Date(1_755_158_101_000),
      },
    ]);
    const group = { remoteJid: '1-2@g.us', id: 'ID2', fromMe: true };
    expect(
      statusesFromReceipts('s1', [
        { key: group, receipt: { userJid: PEER, receiptTimestamp: 1, readTimestamp: 2 } },
      ]).map((update) => [update.status, update.participantJid]),
    ).toEqual([
      ['delivered', PEER],
      ['read', PEER],
    ]);
    expect(
      statusesInUpsert('s1', {
        key: group,
        status: proto.WebMessageInfo.Status.DELIVERY_ACK,
        userReceipt: [{ userJid: PEER, readTimestamp: 5 }],
      }).map((update) => update.status),
    ).toEqual(['read', 'delivered']);
  });

  it('reads typing from chat states (paused stays paused) and online from presence', () => {
    const at = new Date(0);
    const node = (tag: string, attrs: Record<string, string> = {}) => ({
      tag: 'chatstate',
      attrs: { from: PEER },
      content: [{ tag, attrs }],
    });
    expect(presenceFromNode('s1', node('composing'), at)?.state).toBe('composing');
    expect(presenceFromNode('s1', node('composing', { media: 'audio' }), at)?.state).toBe(
      'recording',
    );
    expect(presenceFromNode('s1', node('paused'), at)?.state).toBe('paused');
    expect(
      presenceFromNode('s1', { tag: 'presence', attrs: { from: PEER, type: 'unavailable' } }, at),
    ).toMatchObject({ chatJid: PEER, participantJid: PEER, state: 'unavailable' });
    expect(
      presenceFromNode(
        's1',
        {
          tag: 'chatstate',
          attrs: { from: '1-2@g.us', participant: PEER },
          content: [{ tag: 'composing', attrs: {} }],
        },
        at,
      ),
    ).toMatchObject({ chatJid: '1-2@g.us', participantJid: PEER });
  });
});
