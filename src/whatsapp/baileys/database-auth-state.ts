import {
  AuthenticationCreds,
  AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  SignalDataSet,
  SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import { DataSource, In, Repository } from 'typeorm';
import { AuthKeyEntity } from '../auth-key.entity';

const CREDS = 'creds';
const CHUNK = 200;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
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
 * Writes for one session are applied in order, each `keys.set` in one transaction, so a crash
 * never leaves half of a key update behind. Reads go to the database; Baileys' cacheable key
 * store sits in front of it (see BaileysSession).
 */
export class DatabaseAuthStateStore {
  private readonly repository: Repository<AuthKeyEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(AuthKeyEntity);
  }

  async load(sessionId: string): Promise<DatabaseAuthState> {
    const stored = await this.repository.findOneBy({ sessionId, category: CREDS, keyId: '' });
    const creds = stored ? decode<AuthenticationCreds>(stored.value) : initAuthCreds();
    let queue: Promise<unknown> = Promise.resolve();
    let closed = false;
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
          for (const part of closed ? [] : chunks(ids)) {
            const rows = await this.repository.find({
              select: { keyId: true, value: true },
              where: { sessionId, category: type, keyId: In(part) },
            });
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
        set: (data: SignalDataSet) => enqueue(() => this.write(sessionId, data)),
      },
    };

    return {
      state,
      saveCreds: () =>
        enqueue(() =>
          this.upsert(this.repository, [
            { sessionId, category: CREDS, keyId: '', value: encode(state.creds) },
          ]),
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

  private async write(sessionId: string, data: SignalDataSet): Promise<void> {
    const upserts: Partial<AuthKeyEntity>[] = [];
    const deletes = new Map<string, string[]>();
    for (const [category, entries] of Object.entries(data)) {
      for (const [keyId, value] of Object.entries(entries ?? {})) {
        if (value === null || value === undefined) {
          deletes.set(category, [...(deletes.get(category) ?? []), keyId]);
        } else {
          upserts.push({ sessionId, category, keyId, value: encode(value) });
        }
      }
    }
    if (upserts.length === 0 && deletes.size === 0) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(AuthKeyEntity);
      for (const part of chunks(upserts)) {
        await this.upsert(repository, part);
      }
      for (const [category, keyIds] of deletes) {
        for (const part of chunks(keyIds)) {
          await repository.delete({ sessionId, category, keyId: In(part) });
        }
      }
    });
  }

  private async upsert(
    repository: Repository<AuthKeyEntity>,
    rows: Partial<AuthKeyEntity>[],
  ): Promise<void> {
    // updateEntity(false): TypeORM would map the rows back (SQLite's RETURNING, or the
    // connection's last insert id, which is 0 or stale when the upsert updated a row) and throws,
    // which Baileys retried after 3 s on every send
    await repository
      .createQueryBuilder()
      .insert()
      .values(rows)
      .orUpdate(['value', 'updated_at'], ['session_id', 'category', 'key_id'])
      .updateEntity(false)
      .execute();
  }
}
