import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import { encodeAuthValue } from './auth-value-json';

const baileys = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);

describe('encodeAuthValue', () => {
  const samples: [string, unknown][] = [
    ['fresh creds', initAuthCreds()],
    ['a Buffer', Buffer.from('0123456789abcdef', 'hex')],
    [
      'a Uint8Array view into a larger buffer',
      new Uint8Array(Buffer.from('xxhelloxx').buffer, 2, 5),
    ],
    [
      'a session-like record',
      {
        _sessions: {
          [Buffer.from('base').toString('base64')]: {
            registrationId: 1234,
            currentRatchet: {
              ephemeralKeyPair: { pubKey: Buffer.alloc(33, 5), privKey: Buffer.alloc(32, 7) },
              previousCounter: 0,
            },
            indexInfo: { created: 1_700_000_000_000, closed: -1, baseKeyType: 1 },
            _chains: {
              abc: { chainKey: { counter: 3, key: Buffer.alloc(32, 1) }, messageKeys: {} },
            },
          },
        },
        version: 'v1',
      },
    ],
    [
      'an app-state sync key (protobuf message with toJSON)',
      proto.Message.AppStateSyncKeyData.fromObject({
        keyData: Buffer.alloc(32, 9),
        fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
        timestamp: 1_700_000_000,
      }),
    ],
    [
      'arrays with holes, undefined and functions',
      {
        list: [1, undefined, () => 1, Buffer.from([1, 2])],
        gone: undefined,
        date: new Date(0),
        nested: [[Buffer.alloc(0)]],
      },
    ],
    ['a Buffer already spelled out as JSON', Buffer.from([1, 2, 3]).toJSON()],
    ['scalars', [null, true, 0, -1.5, 'text', '']],
  ];

  it.each(samples)(
    'writes %s exactly as JSON.stringify with BufferJSON.replacer',
    (_name, value) => {
      expect(encodeAuthValue(value)).toBe(baileys(value));
    },
  );

  it('reads back with BufferJSON.reviver', () => {
    const creds = initAuthCreds();
    const back = JSON.parse(encodeAuthValue(creds), BufferJSON.reviver) as typeof creds;
    expect(Buffer.compare(back.noiseKey.private, creds.noiseKey.private)).toBe(0);
    expect(back.registrationId).toBe(creds.registrationId);
  });
});
