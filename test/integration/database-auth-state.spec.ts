import { FencedCommits } from '../../src/cluster/fenced-commits';
import { SoleOwnership } from '../../src/cluster/sole-ownership';
import { DataSource } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { DatabaseAuthStateStore } from '../../src/whatsapp/baileys/database-auth-state';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

describe(`database auth state (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: DatabaseAuthStateStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    store = new DatabaseAuthStateStore(
      dataSource,
      new FencedCommits(dataSource, new SoleOwnership('test', '')),
    );
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('starts with fresh creds and persists them with their binary keys intact', async () => {
    const first = await store.load('s-creds');
    expect(first.state.creds.me).toBeUndefined();
    expect(await store.isPaired('s-creds')).toBe(false);
    first.state.creds.me = { id: '6281234567890:3@s.whatsapp.net', name: 'Popeye' };
    first.state.creds.platform = 'android';
    await first.saveCreds();

    const again = await store.load('s-creds');
    expect(again.state.creds.me).toEqual({ id: '6281234567890:3@s.whatsapp.net', name: 'Popeye' });
    expect(again.state.creds.platform).toBe('android');
    expect(Buffer.from(again.state.creds.noiseKey.private)).toEqual(
      Buffer.from(first.state.creds.noiseKey.private),
    );
    expect(again.state.creds.signedPreKey.keyId).toBe(first.state.creds.signedPreKey.keyId);
    expect(await store.isPaired('s-creds')).toBe(true);
  });

  it('stores, overwrites and deletes Signal keys per session', async () => {
    const auth = await store.load('s-keys');
    const other = await store.load('s-other');
    const keyPair = { public: Buffer.from([1, 2, 3]), private: Buffer.from([4, 5, 6]) };
    await auth.state.keys.set({
      'pre-key': { '1': keyPair, '2': keyPair },
      session: { '6281.0': Buffer.from('session-record') },
      'app-state-sync-key': { AAAA: { keyData: Buffer.from([9, 9]), timestamp: 5 } },
    });
    await other.state.keys.set({
      'pre-key': { '1': { public: Buffer.from([7]), private: Buffer.from([8]) } },
    });

    const preKeys = await auth.state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys).sort()).toEqual(['1', '2']);
    expect(Buffer.from(preKeys['1'].public)).toEqual(Buffer.from([1, 2, 3]));
    expect(Buffer.from((await auth.state.keys.get('session', ['6281.0']))['6281.0'])).toEqual(
      Buffer.from('session-record'),
    );
    const syncKey = (await auth.state.keys.get('app-state-sync-key', ['AAAA'])).AAAA;
    expect(Buffer.from(syncKey.keyData!)).toEqual(Buffer.from([9, 9]));

    await auth.state.keys.set({
      'pre-key': { '1': null, '2': { public: Buffer.from([0]), private: Buffer.from([0]) } },
    });
    const after = await auth.state.keys.get('pre-key', ['1', '2']);
    expect(after['1']).toBeUndefined();
    expect(Buffer.from(after['2'].public)).toEqual(Buffer.from([0]));
    expect(Buffer.from((await other.state.keys.get('pre-key', ['1']))['1'].public)).toEqual(
      Buffer.from([7]),
    );
  });

  it('reads many keys at once (chunked IN lists)', async () => {
    const auth = await store.load('s-many');
    const many: Record<string, Buffer> = {};
    for (let i = 0; i < 1200; i++) {
      many[`${i}`] = Buffer.from(`k${i}`);
    }
    await auth.state.keys.set({ 'sender-key': many });
    const read = await auth.state.keys.get('sender-key', Object.keys(many));
    expect(Object.keys(read)).toHaveLength(1200);
    expect(Buffer.from(read['1199']).toString()).toBe('k1199');
  });

  it('applies writes in order even when they are not awaited one by one', async () => {
    const auth = await store.load('s-order');
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(
        Promise.resolve(auth.state.keys.set({ session: { peer: Buffer.from(`v${i}`) } })),
      );
    }
    await Promise.all(writes);
    await auth.flush();
    expect(Buffer.from((await auth.state.keys.get('session', ['peer'])).peer).toString()).toBe(
      'v19',
    );
  });

  it('commits the writes of several sessions made together, and each is read back', async () => {
    const sessions = await Promise.all(
      ['s-group-1', 's-group-2', 's-group-3'].map((id) => store.load(id)),
    );
    await Promise.all(
      sessions.map((auth, i) =>
        Promise.resolve(auth.state.keys.set({ session: { peer: Buffer.from(`g${i}`) } })),
      ),
    );
    for (const [i, id] of ['s-group-1', 's-group-2', 's-group-3'].entries()) {
      const again = await store.load(id);
      const read = await again.state.keys.get('session', ['peer']);
      expect(Buffer.from(read.peer).toString()).toBe(`g${i}`);
    }
  });

  it('reads back a key written after it was read as absent, and a deleted key as absent', async () => {
    const auth = await store.load('s-absent');
    expect(await auth.state.keys.get('tctoken', ['peer'])).toEqual({});
    const written = Promise.resolve(
      auth.state.keys.set({ tctoken: { peer: { token: Buffer.from('t1'), timestamp: '1' } } }),
    );
    const during = auth.state.keys.get('tctoken', ['other']);
    await written;
    expect(await during).toEqual({});
    expect(
      Buffer.from((await auth.state.keys.get('tctoken', ['peer'])).peer.token).toString(),
    ).toBe('t1');
    await auth.state.keys.set({ tctoken: { peer: null } });
    expect(await auth.state.keys.get('tctoken', ['peer'])).toEqual({});
  });

  it('never remembers as absent a key written while it was read, but does remember the others', async () => {
    const auth = await store.load('s-overlap');
    const token = (value: string) => ({ token: Buffer.from(value), timestamp: '1' });
    // a write pending when the read begins, and one made while it runs
    const before = Promise.resolve(auth.state.keys.set({ tctoken: { early: token('e') } }));
    const read = auth.state.keys.get('tctoken', ['early', 'late', 'never']);
    const during = Promise.resolve(auth.state.keys.set({ tctoken: { late: token('l') } }));
    await Promise.all([before, read, during]);
    const queries = jest.spyOn(dataSource, 'query');
    const after = await auth.state.keys.get('tctoken', ['early', 'late', 'never']);
    expect(Object.keys(after).sort()).toEqual(['early', 'late']);
    // the key nobody wrote was remembered absent: asking for it alone reads nothing
    queries.mockClear();
    expect(await auth.state.keys.get('tctoken', ['never'])).toEqual({});
    expect(queries).not.toHaveBeenCalled();
    queries.mockRestore();
  });

  it('clears the whole auth state of one session only', async () => {
    await store.clear('s-keys');
    const cleared = await store.load('s-keys');
    expect(await cleared.state.keys.get('pre-key', ['2'])).toEqual({});
    expect(
      Object.keys(await (await store.load('s-other')).state.keys.get('pre-key', ['1'])),
    ).toEqual(['1']);
  });

  it('writes a batch of key upserts as one statement without a transaction on MySQL; deletes in one', async () => {
    const auth = await store.load('s-statements');
    const transactions = jest.spyOn(dataSource, 'transaction');
    try {
      await auth.state.keys.set({ session: { '6282.0': Buffer.from('ratchet') } });
      // InnoDB commits one statement atomically: START TRANSACTION and COMMIT would be two more
      // round trips (SQLite shares one connection, so a lone statement stays in a transaction)
      expect(transactions).toHaveBeenCalledTimes(testTier() === 'mysql' ? 0 : 1);
      await auth.state.keys.set({
        session: { '6282.0': null, '6283.0': Buffer.from('other') },
      });
      expect(transactions).toHaveBeenCalledTimes(testTier() === 'mysql' ? 1 : 2);
    } finally {
      transactions.mockRestore();
    }
    const again = await store.load('s-statements');
    expect(Object.keys(await again.state.keys.get('session', ['6282.0', '6283.0']))).toEqual([
      '6283.0',
    ]);
  });
});
