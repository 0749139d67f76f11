import { Clock } from '../../src/messaging/clock';

/** A clock the test moves by hand: scheduled tasks run when their time is reached. */
export class FakeClock extends Clock {
  private tasks: { at: number; task: () => void }[] = [];

  constructor(private current = new Date('2025-08-14T07:55:41.000Z').getTime()) {
    super();
  }

  now(): Date {
    return new Date(this.current);
  }

  schedule(at: Date, task: () => void): () => void {
    const entry = { at: at.getTime(), task };
    this.tasks.push(entry);
    return () => {
      this.tasks = this.tasks.filter((candidate) => candidate !== entry);
    };
  }

  advance(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }

  advanceTo(at: Date): void {
    this.current = at.getTime();
    const due = this.tasks.filter((entry) => entry.at <= this.current);
    this.tasks = this.tasks.filter((entry) => entry.at > this.current);
    due.forEach((entry) => entry.task());
  }
}
