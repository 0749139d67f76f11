import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';

type KeyType = keyof SignalDataTypeMap;

/**
 * A Signal key store held in memory: used by every simulated party (phone, contacts) and by the
 * test harness's Baileys clients. Nothing is persisted; a simulator restart forgets everything.
 */
export function createMemoryKeyStore(): SignalKeyStore {
  const tables = new Map<KeyType, Map<string, SignalDataTypeMap[KeyType]>>();
  const table = (type: KeyType): Map<string, SignalDataTypeMap[KeyType]> => {
    let found = tables.get(type);
    if (!found) {
      found = new Map();
      tables.set(type, found);
    }
    return found;
  };
  return {
    get<T extends KeyType>(type: T, ids: string[]): { [id: string]: SignalDataTypeMap[T] } {
      const values = table(type);
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = values.get(id);
        if (value !== undefined) {
          result[id] = value as SignalDataTypeMap[T];
        }
      }
      return result;
    },
    set(data: SignalDataSet): void {
      for (const type of Object.keys(data) as KeyType[]) {
        const values = table(type);
        const entries = Object.entries(data[type] ?? {}) as Array<
          [string, SignalDataTypeMap[KeyType] | null]
        >;
        for (const [id, value] of entries) {
          if (value === null || value === undefined) {
            values.delete(id);
          } else {
            values.set(id, value);
          }
        }
      }
    },
    clear(): void {
      tables.clear();
    },
  };
}
