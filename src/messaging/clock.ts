import { Injectable } from '@nestjs/common';

/** Time, as a port: the presence auto-stop is tested with a fake one. */
export abstract class Clock {
  abstract now(): Date;
  /** Runs `task` at `at` (at once when that has passed); returns the cancel function. */
  abstract schedule(at: Date, task: () => void): () => void;
}

/** The longest delay setTimeout takes as given. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  schedule(at: Date, task: () => void): () => void {
    let timer: NodeJS.Timeout;
    // setTimeout runs at once for more than 2^31-1 ms (24.8 days): wait in steps up to it
    const arm = (): void => {
      const wait = at.getTime() - Date.now();
      timer = setTimeout(
        wait > MAX_TIMEOUT_MS ? arm : task,
        Math.max(0, Math.min(wait, MAX_TIMEOUT_MS)),
      );
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  }
}
