/** The samples of seed 003, verbatim: shared by the ingest and pipeline tests. */
export const MESSAGE = {
  event: {
    Info: {
      ID: '53829C3632356D0F08BFB6BDB41A706F',
      Sender: '6289668176764@s.whatsapp.net',
      Chat: '6281233784490@s.whatsapp.net',
      IsFromMe: true,
      IsGroup: false,
      PushName: 'Yoga',
      Type: 'text',
      Timestamp: '2025-08-14T14:55:01+07:00',
    },
    Message: {
      conversation: 'ya',
    },
  },
  token: 'genfitywa1',
  type: 'Message',
};
export const READ_RECEIPT = {
  event: {
    Chat: '6281233784490@s.whatsapp.net',
    Sender: '6281233784490:24@s.whatsapp.net',
    MessageIDs: ['53829C3632356D0F08BFB6BDB41A706F'],
    Timestamp: '2025-08-14T14:55:54+07:00',
    Type: 'read',
  },
  state: 'Read',
  token: 'genfitywa1',
  type: 'ReadReceipt',
};
export const CONNECTED = {
  event: {
    Action: { name: '~' },
    FromFullSync: false,
    Timestamp: '2025-08-14T14:55:41.474+07:00',
  },
  token: 'genfitywa1',
  type: 'Connected',
};
export const QR = {
  event: 'code',
  qrCodeBase64: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAQ...',
  token: 'genfitywa1',
  type: 'QR',
};
export const CHAT_PRESENCE = {
  event: {
    Chat: '6281233784490@s.whatsapp.net',
    Sender: '6281233784490@s.whatsapp.net',
    State: 'composing',
  },
  token: 'genfitywa1',
  type: 'ChatPresence',
};
