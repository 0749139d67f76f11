import { AsyncLocalStorage } from 'node:async_hooks';
import { addTransactionCapability } from '@whiskeysockets/baileys';
import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';
import pino from 'pino';

/** A key store in memory that counts its writes. */
function memoryStore(): SignalKeyStore & { writes: number; data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  const store = {
    writes: 0,
    data,
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      return Promise.resolve(
        Object.fromEntries(
          ids
            .filter((id) => data.has(`${type}:${id}`))
            .map((id) => [id, data.get(`${type}:${id}`)]),
        ) as { [id: string]: SignalDataTypeMap[T] },
      );
    },
    set(set: SignalDataSet) {
      store.writes += 1;
      for (const [type, values] of Object.entries(set)) {
        for (const [id, value] of Object.entries(values ?? {})) {
          data.set(`${type}:${id}`, value);
        }
      }
      return Promise.resolve();
    },
  };
  return store;
}

const logger = pino({ level: 'silent' });
const options = { maxCommitRetries: 1, delayBetweenTriesMs: 1 };
const session = (value: string): SignalDataSet => ({ session: { a: Buffer.from(value) } });

/**
 * The Baileys patch gives every socket's key store one shared AsyncLocalStorage (Baileys made one
 * per socket: on Node 20 each is visited for every promise the process creates, for good).
 */
describe('Signal key transactions (Baileys, patched)', () => {
  it('share one AsyncLocalStorage across the key stores of every socket', async () => {
    const used = new Set<unknown>();
    const { prototype } = AsyncLocalStorage as { prototype: Record<'run', unknown> };
    const originalRun = prototype.run as (...args: unknown[]) => unknown;
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run').mockImplementation(function (
      this: AsyncLocalStorage<unknown>,
      ...args
    ) {
      used.add(this);
      return Reflect.apply(originalRun, this, args);
    });
    try {
      const stores = Array.from({ length: 20 }, () =>
        addTransactionCapability(memoryStore(), logger, options),
      );
      for (const [index, keys] of stores.entries()) {
        await keys.transaction(async () => {
          await keys.set(session(String(index)));
        }, `tx-${index}`);
      }
    } finally {
      run.mockRestore();
    }
    expect(used.size).toBe(1);
  });

  it('keep each store its own transaction, nested in another store or not', async () => {
    const [rawA, rawB] = [memoryStore(), memoryStore()];
    const a = addTransactionCapability(rawA, logger, options);
    const b = addTransactionCapability(rawB, logger, options);

    await a.transaction(async () => {
      expect(a.isInTransaction()).toBe(true);
      expect(b.isInTransaction()).toBe(false);
      await a.set(session('a'));
      // not written until A's transaction ends
      expect(rawA.writes).toBe(0);

      await b.transaction(async () => {
        expect(a.isInTransaction()).toBe(true);
        expect(b.isInTransaction()).toBe(true);
        await b.set(session('b'));
      }, 'b');
      // B's transaction committed on its own, into B's store only
      expect(rawB.writes).toBe(1);
      expect(rawB.data.has('session:a')).toBe(true);
      expect(rawA.writes).toBe(0);
    }, 'a');

    expect(rawA.writes).toBe(1);
    expect(Buffer.from(rawA.data.get('session:a') as Uint8Array).toString()).toBe('a');
    expect(Buffer.from(rawB.data.get('session:a') as Uint8Array).toString()).toBe('b');
    expect(a.isInTransaction()).toBe(false);
  });

  it('write what work started in a transaction writes after it ended (fire-and-forget tctoken)', async () => {
    const raw = memoryStore();
    const keys = addTransactionCapability(raw, logger, options);
    let release!: () => void;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    let straggler!: Promise<void>;
    await keys.transaction(async () => {
      await keys.set(session('in the transaction'));
      // as relayMessage issues the privacy token: not awaited, it goes on after the commit
      straggler = later.then(async () => {
        expect(keys.isInTransaction()).toBe(false);
        await keys.set({ tctoken: { c: { token: Buffer.alloc(0), senderTimestamp: 1 } } });
      });
    }, 'tx');
    expect(raw.writes).toBe(1);
    release();
    await straggler;
    // before the patch the write went to the ended transaction's buffer and was lost
    expect(raw.writes).toBe(2);
    expect(raw.data.get('tctoken:c')).toMatchObject({ senderTimestamp: 1 });
  });
});
