import type { WaMessage } from '../../src/whatsapp/message-events';

/**
 * A 1:1 text as the engine reports it, from `jid` (digits of `jid` as the sender's number, unless
 * `fields` says otherwise). For tests of what is done with messages, not of the engine.
 */
export function textMessage(
  jid: string,
  text: string,
  fields: Partial<WaMessage> & Pick<WaMessage, 'id' | 'sessionId'>,
): WaMessage {
  return {
    chatJid: jid,
    senderJid: jid,
    senderPhone: /^(\d+)@s\.whatsapp\.net$/.exec(jid)?.[1] ?? null,
    fromMe: false,
    isGroup: false,
    pushName: null,
    type: 'text',
    text,
    quotedId: null,
    targetId: null,
    mentions: [],
    media: null,
    timestamp: new Date(),
    content: { conversation: text },
    status: 'delivered',
    ...fields,
  };
}
