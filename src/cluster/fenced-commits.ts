import { DataSource, EntityManager } from 'typeorm';
import { GroupCommit } from '../database/group-commit';
import { SessionOwnership } from './session-ownership';

/** One writer's share of a transaction. */
export interface CommitPart<T> {
  /** Sessions whose lease must still be this process's for their rows to be written. */
  fenced: string[];
  /** Writes the rows; `owned` is the part of `fenced` (and of the other parts') still held. */
  write(manager: EntityManager, owned: ReadonlySet<string>): Promise<T>;
  /**
   * `write` issues exactly one statement when it owns every fenced session. Alone in its batch
   * on MySQL without a fence to check, such a part runs without `START TRANSACTION`/`COMMIT`:
   * InnoDB commits one statement atomically by itself, and two round trips are saved.
   */
  oneStatement?: boolean;
}

interface Pending {
  part: CommitPart<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit of the writes a session's runtime makes (Signal keys, incoming messages): the
 * parts handed in while a transaction is being written go together in the next one, with one
 * lease check (fence) for all their sessions. The inbound path thus pays one BEGIN, one fence
 * and one COMMIT per batch instead of one per writer. A part resolves once its rows are
 * committed. If a shared transaction fails, each of its parts is written again on its own, so a
 * bad part fails alone.
 */
export class FencedCommits {
  private readonly batches = new GroupCommit<Pending, void>((batch) => this.writeBatch(batch));
  /**
   * Whether a one-statement part alone in its batch may skip the transaction: one process (no
   * fence to check) on MySQL. SQLite runs every query on one shared connection, where a lone
   * statement could land inside another flow's open transaction.
   */
  private readonly loneStatements: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ownership: SessionOwnership,
  ) {
    this.loneStatements = !ownership.clustered && dataSource.options.type === 'mysql';
  }

  /** Writes the part in the next transaction; resolves with what `write` returned, committed. */
  commit<T>(part: CommitPart<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // settles every part itself (writeBatch never rejects)
      void this.batches.add({ part, resolve, reject });
    });
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      const results = await this.transaction(batch.map((pending) => pending.part));
      batch.forEach((pending, index) => pending.resolve(results[index]));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
    }
    for (const pending of batch) {
      try {
        const [result] = await this.transaction([pending.part]);
        pending.resolve(result);
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  private async transaction(parts: CommitPart<unknown>[]): Promise<unknown[]> {
    if (this.loneStatements && parts.length === 1 && parts[0].oneStatement === true) {
      const [part] = parts;
      const manager = this.dataSource.manager;
      return [await part.write(manager, await this.ownership.fence(manager, part.fenced))];
    }
    return this.dataSource.transaction(async (manager) => {
      // the check holds the lease rows until this transaction commits
      const owned = await this.ownership.fence(manager, [
        ...new Set(parts.flatMap((part) => part.fenced)),
      ]);
      const results: unknown[] = [];
      for (const part of parts) {
        results.push(await part.write(manager, owned));
      }
      return results;
    });
  }
}
