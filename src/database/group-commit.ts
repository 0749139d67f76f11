/**
 * Group commit: the items handed in while a batch is being written go together in the next one,
 * written after a turn of the event loop, one batch at a time. Every item of a batch gets the
 * batch's outcome (what `write` resolved with, or its error); telling which items failed is the
 * writer's business. The message store, the Signal keys, the send queue's rows and the fenced
 * transactions that carry the first two all batch this way.
 */
export class GroupCommit<I, O> {
  private next?: { items: I[]; outcome: Promise<O> };
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly write: (items: I[]) => Promise<O>) {}

  /** Adds the item to the batch written next; settles with that batch's outcome. */
  add(item: I): Promise<O> {
    let batch = this.next;
    if (!batch) {
      const items: I[] = [];
      const outcome = this.writing
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          if (this.next?.items === items) {
            this.next = undefined;
          }
          return this.write(items);
        });
      this.writing = outcome.catch(() => undefined);
      batch = { items, outcome };
      this.next = batch;
    }
    batch.items.push(item);
    return batch.outcome;
  }
}
