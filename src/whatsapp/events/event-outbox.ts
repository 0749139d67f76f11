import { Global, Injectable, Logger, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { GatewayEvent } from './gateway-events';

/** Writes the rows that will report `events` (the webhook outbox), in the caller's transaction. */
export interface OutboxWriter {
  write(manager: EntityManager, events: GatewayEvent[]): Promise<void>;
}

/**
 * The seam between persisters and the webhook outbox: a persister calls `record` inside the
 * transaction that stores a state change; every registered writer adds its rows to that same
 * transaction. With no writer registered (webhooks module absent) it does nothing.
 */
@Injectable()
export class EventOutbox {
  private readonly logger = new Logger('EventOutbox');
  private readonly writers: OutboxWriter[] = [];

  register(writer: OutboxWriter): void {
    this.writers.push(writer);
  }

  async record(manager: EntityManager, events: GatewayEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    for (const writer of this.writers) {
      await writer.write(manager, events);
    }
    this.logger.verbose?.(`recorded ${events.length} event(s)`);
  }
}

@Global()
@Module({ providers: [EventOutbox], exports: [EventOutbox] })
export class EventsModule {}
