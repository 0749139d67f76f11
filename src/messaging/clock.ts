import { Injectable } from '@nestjs/common';

/** Time, as a port: the presence auto-stop is tested with a fake one. */
export abstract class Clock {
  abstract now(): Date;
  /** Runs `task` at `at` (at once when that has passed); returns the cancel function. */
  abstract schedule(at: Date, task: () => void): () => void;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  schedule(at: Date, task: () => void): () => void {
    const timer = setTimeout(task, Math.max(0, at.getTime() - Date.now()));
    timer.unref();
    return () => clearTimeout(timer);
  }
}
