import {
  AuthenticationCreds,
  AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  SignalDataSet,
  SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import { LRUCache } from 'lru-cache';
import { DataSource, EntityManager, Repository } from 'typeorm';
import type { FencedCommits } from '../../cluster/fenced-commits';
import { insertEntities, placeholders } from '../../database/bulk-sql';
import { GroupCommit } from '../../database/group-commit';
import { encodeAuthValue } from './auth-value-json';
import { AuthKeyEntity } from '../auth-key.entity';

const CREDS = 'creds';
const CHUNK = 200;
/** Keys per session remembered as absent (Baileys asks for missing `tctoken`s on every send). */
const ABSENT_MAX = 10_000;

/** One key (or the creds) to write, or to delete (`value` null). */
interface KeyRow {
  sessionId: string;
  category: string;
  keyId: string;
  value: string | null;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

const encode = encodeAuthValue;
const decode = <T>(value: string): T => JSON.parse(value, BufferJSON.reviver) as T;

export interface DatabaseAuthState {
  state: AuthenticationState;
  /** Persists the (in-memory, Baileys-mutated) creds. */
  saveCreds(): Promise<void>;
  /** Resolves once every write queued so far has reached the database. */
  flush(): Promise<void>;
  /**
   * Stops reading and writing: Baileys may still finish work of a socket that has ended, and
   * after a logout that must not bring deleted keys back (nor touch a closed database).
   */
  close(): void;
}

/**
 * Baileys auth state kept in `wa_auth_keys`: the creds row plus one row per Signal key.
 * Writes for one session are applied in order, and a `keys.set` or `saveCreds` resolves only
 * once its rows are committed, as before. Writes of every session are group-committed: those
 * made while a batch is being written go together in the next one (one transaction, multi-row
 * upsert), so a crash never leaves half of a key update behind and never loses one that was
 * acknowledged. Reads go to the database; Baileys' cacheable key store sits in front of it (see
 * BaileysSession) for keys that exist, and keys read as absent are remembered here until
 * written (this process is the only writer of a running session's keys).
 */
export class DatabaseAuthStateStore {
  private readonly repository: Repository<AuthKeyEntity>;
  /**
   * Key writes of every session made while a batch is being written go together in the next
   * one, whose transaction is shared with the other fenced writers' (the message store's).
   */
  private readonly batches = new GroupCommit<KeyRow[], void>((writes) => {
    // by session, category and key id: the last write of each key wins
    const rows = new Map<string, KeyRow>();
    const sessions = new Set<string>();
    let deletes = false;
    for (const row of writes.flat()) {
      rows.set(`${row.sessionId}\u0000${row.category}\u0000${row.keyId}`, row);
      sessions.add(row.sessionId);
      deletes ||= row.value === null;
    }
    return this.commits.commit({
      fenced: [...sessions],
      write: (manager, owned) => this.apply(manager, rows.values(), owned),
      // the common batch (a few sessions' ratchets) is one multi-row upsert, no deletes
      oneStatement: rows.size > 0 && rows.size <= CHUNK && !deletes,
    });
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly commits: FencedCommits,
  ) {
    this.repository = dataSource.getRepository(AuthKeyEntity);
  }

  async load(sessionId: string): Promise<DatabaseAuthState> {
    const stored = await this.repository.findOneBy({ sessionId, category: CREDS, keyId: '' });
    const creds = stored ? decode<AuthenticationCreds>(stored.value) : initAuthCreds();
    let queue: Promise<unknown> = Promise.resolve();
    let closed = false;
    const absent = new LRUCache<string, true>({ max: ABSENT_MAX });
    // a read tells that a key is absent only if no write of that key was pending when it began
    // or made while it ran: the keys with a write not committed yet (and how many), and what
    // the reads under way saw written
    const pending = new Map<string, number>();
    const reads = new Set<Set<string>>();
    const enqueue = (write: () => Promise<void>): Promise<void> => {
      if (closed) {
        return Promise.resolve();
      }
      const next = queue.then(() => (closed ? undefined : write()));
      queue = next.catch(() => undefined);
      return next;
    };

    const state: AuthenticationState = {
      creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const result: { [id: string]: SignalDataTypeMap[T] } = {};
          const wanted = ids.filter((id) => !absent.has(`${type}\u0000${id}`));
          for (const part of closed ? [] : chunks(wanted)) {
            const unsure = new Set(
              part.map((id) => `${type}\u0000${id}`).filter((key) => pending.has(key)),
            );
            reads.add(unsure);
            let rows: { keyId: string; value: string }[];
            try {
              rows = await this.dataSource.query<{ keyId: string; value: string }[]>(
                `SELECT key_id AS keyId, value FROM wa_auth_keys
                  WHERE session_id = ? AND category = ? AND key_id IN (${placeholders(part)})`,
                [sessionId, type, ...part],
              );
            } finally {
              reads.delete(unsure);
            }
            // what the database lacks is absent, unless it was being written meanwhile
            const found = new Set(rows.map((row) => row.keyId));
            for (const id of part.filter((candidate) => !found.has(candidate))) {
              const key = `${type}\u0000${id}`;
              if (!unsure.has(key) && !pending.has(key)) {
                absent.set(key, true);
              }
            }
            for (const row of rows) {
              let value = decode<SignalDataTypeMap[T]>(row.value);
              if (type === 'app-state-sync-key') {
                value = proto.Message.AppStateSyncKeyData.fromObject(
                  value as object,
                ) as unknown as SignalDataTypeMap[T];
              }
              result[row.keyId] = value;
            }
          }
          return result;
        },
        set: (data: SignalDataSet) => {
          const keys: string[] = [];
          for (const [category, entries] of Object.entries(data)) {
            for (const keyId of Object.keys(entries ?? {})) {
              const key = `${category}\u0000${keyId}`;
              keys.push(key);
              absent.delete(key);
              pending.set(key, (pending.get(key) ?? 0) + 1);
              reads.forEach((unsure) => unsure.add(key));
            }
          }
          return enqueue(() => this.write(sessionId, data)).finally(() => {
            for (const key of keys) {
              const left = (pending.get(key) ?? 1) - 1;
              if (left > 0) {
                pending.set(key, left);
              } else {
                pending.delete(key);
              }
            }
          });
        },
      },
    };

    return {
      state,
      saveCreds: () =>
        enqueue(() =>
          this.batched([{ sessionId, category: CREDS, keyId: '', value: encode(state.creds) }]),
        ),
      flush: () => queue.then(() => undefined),
      close: () => {
        closed = true;
      },
    };
  }

  /** Whether the session has creds of a paired device (so it can log in without a QR). */
  async isPaired(sessionId: string): Promise<boolean> {
    const stored = await this.repository.findOneBy({ sessionId, category: CREDS, keyId: '' });
    return stored ? Boolean(decode<AuthenticationCreds>(stored.value).me?.id) : false;
  }

  /** Removes the whole auth state of a session (logout, delete). */
  async clear(sessionId: string): Promise<void> {
    await this.repository.delete({ sessionId });
  }

  private write(sessionId: string, data: SignalDataSet): Promise<void> {
    const rows: KeyRow[] = [];
    for (const [category, entries] of Object.entries(data)) {
      for (const [keyId, value] of Object.entries(entries ?? {})) {
        const stored = value === null || value === undefined ? null : encode(value);
        rows.push({ sessionId, category, keyId, value: stored });
      }
    }
    return rows.length === 0 ? Promise.resolve() : this.batched(rows);
  }

  /** Adds rows to the batch that is written next; resolves once that batch is committed. */
  private batched(rows: KeyRow[]): Promise<void> {
    return this.batches.add(rows);
  }

  /**
   * Fencing: a process whose lease moved on must never write over the new owner's keys; `owned`
   * are the sessions whose lease this transaction checked (and holds until it commits).
   */
  private async apply(
    manager: EntityManager,
    rows: Iterable<KeyRow>,
    owned: ReadonlySet<string>,
  ): Promise<void> {
    const upserts: Partial<AuthKeyEntity>[] = [];
    const deletes = new Map<string, { sessionId: string; category: string; keyIds: string[] }>();
    for (const row of rows) {
      if (!owned.has(row.sessionId)) {
        continue;
      }
      if (row.value === null) {
        const key = `${row.sessionId}\u0000${row.category}`;
        const group = deletes.get(key) ?? { ...row, keyIds: [] };
        group.keyIds.push(row.keyId);
        deletes.set(key, group);
      } else {
        upserts.push({ ...row, value: row.value });
      }
    }
    await insertEntities(manager, AuthKeyEntity, upserts, {
      keys: ['sessionId', 'category', 'keyId'],
      update: ['value', 'updatedAt'],
    });
    for (const { sessionId, category, keyIds } of deletes.values()) {
      for (const part of chunks(keyIds)) {
        await manager.query(
          `DELETE FROM wa_auth_keys WHERE session_id = ? AND category = ? AND key_id IN (${placeholders(part)})`,
          [sessionId, category, ...part],
        );
      }
    }
  }
}
