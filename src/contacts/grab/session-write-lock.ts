import { Injectable } from '@nestjs/common';
import { Mutex } from 'async-mutex';

/** One writer of a session's `contacts` rows at a time (grabs and auto-sync), so counts stay exact. */
@Injectable()
export class SessionWriteLock {
  private readonly locks = new Map<string, Mutex>();

  run<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(sessionId);
    if (!lock) {
      lock = new Mutex();
      this.locks.set(sessionId, lock);
    }
    return lock.runExclusive(task);
  }
}
