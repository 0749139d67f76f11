import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository } from 'typeorm';
import { LeaseLost, sessionLease, SessionOwnership } from '../cluster/session-ownership';
import { EventOutbox } from './events/event-outbox';
import type { GatewayEvent } from './events/gateway-events';
import { WhatsappSessionEntity } from './whatsapp-session.entity';

export type SessionPatch = Partial<
  Pick<
    WhatsappSessionEntity,
    | 'state'
    | 'qrCode'
    | 'qrExpiresAt'
    | 'connectedAt'
    | 'disconnectedAt'
    | 'disconnectReason'
    | 'phoneNumber'
    | 'pushName'
    | 'jid'
    | 'lid'
    | 'platform'
    | 'autoStart'
  >
>;

/** The `whatsapp_sessions` rows as the session runtime reads and updates them. */
@Injectable()
export class SessionRecords {
  constructor(
    @InjectRepository(WhatsappSessionEntity)
    private readonly repository: Repository<WhatsappSessionEntity>,
    private readonly outbox: EventOutbox,
    private readonly ownership: SessionOwnership,
  ) {}

  find(sessionId: string): Promise<WhatsappSessionEntity | null> {
    return this.repository.findOneBy({ sessionId });
  }

  /** Updates the row; `events` (what the change reports) go to the outbox in the same transaction. */
  async update(sessionId: string, patch: SessionPatch, events: GatewayEvent[] = []): Promise<void> {
    if (events.length === 0) {
      await this.repository.update({ sessionId }, patch);
      return;
    }
    await this.repository.manager.transaction(async (manager) => {
      await manager.update(WhatsappSessionEntity, { sessionId }, patch);
      await this.outbox.record(manager, events);
    });
  }

  /**
   * `update` by the session's runtime: in a cluster, only while this process holds the session's
   * lease (checked in the write's transaction); otherwise rejects with LeaseLost and writes nothing.
   */
  async updateOwned(
    sessionId: string,
    patch: SessionPatch,
    events: GatewayEvent[] = [],
  ): Promise<void> {
    if (!this.ownership.clustered) {
      return this.update(sessionId, patch, events);
    }
    await this.repository.manager.transaction(async (manager) => {
      if (!(await this.ownership.fence(manager, [sessionId])).has(sessionId)) {
        throw new LeaseLost(sessionLease(sessionId));
      }
      await manager.update(WhatsappSessionEntity, { sessionId }, patch);
      await this.outbox.record(manager, events);
    });
  }

  /**
   * Cluster: the restorable sessions (as `restorable`) that no process holds a live lease for.
   */
  async unowned(includeStopped: boolean): Promise<string[]> {
    const rows = await this.repository.query<{ sessionId: string }[]>(
      `SELECT s.session_id AS sessionId FROM whatsapp_sessions s
         LEFT JOIN cluster_leases l
           ON l.name = CONCAT('session:', s.session_id) AND l.expires_at > NOW(3)
        WHERE s.session_state <> 'logged_out' AND l.name IS NULL${includeStopped ? '' : ' AND s.auto_start = 1'}
        ORDER BY s.id`,
    );
    return rows.map((row) => row.sessionId);
  }

  /**
   * In the caller's transaction: applies `patch` to the session's row, creating the row when
   * the session is unknown (ingested events name sessions this process never saw). Returns the
   * row as it was before, or null when it was created.
   */
  async upsertIn(
    manager: EntityManager,
    sessionId: string,
    patch: SessionPatch,
  ): Promise<WhatsappSessionEntity | null> {
    const before = await manager.findOneBy(WhatsappSessionEntity, { sessionId });
    if (before) {
      await manager.update(WhatsappSessionEntity, { sessionId }, patch);
      return before;
    }
    await manager.insert(WhatsappSessionEntity, { sessionId, ...patch });
    return null;
  }

  /** Creates the row of a session first named by an ingested event (no-op when it exists). */
  async createIfMissing(sessionId: string, state: WhatsappSessionEntity['state']): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .insert()
      .into(WhatsappSessionEntity)
      .values({ sessionId, state })
      .orIgnore()
      .execute();
  }

  /** Sessions that may be restored: not logged out, and auto-start set unless `includeStopped`. */
  restorable(includeStopped: boolean): Promise<WhatsappSessionEntity[]> {
    return this.repository.find({
      where: includeStopped
        ? { state: Not('logged_out') }
        : { autoStart: true, state: Not('logged_out') },
      order: { id: 'ASC' },
    });
  }

  /** Rows left in a live state by a process that is gone: nothing runs them now. */
  async markOrphansDisconnected(runningIds: string[], reason: string): Promise<void> {
    const orphans = await this.repository.find({
      select: { sessionId: true },
      where: { state: In(['connecting', 'qr_waiting', 'connected']) },
    });
    const stale = orphans.map((row) => row.sessionId).filter((id) => !runningIds.includes(id));
    if (stale.length > 0) {
      await this.repository.update(
        { sessionId: In(stale) },
        {
          state: 'disconnected',
          disconnectReason: reason,
          disconnectedAt: new Date(),
          qrCode: null,
          qrExpiresAt: null,
        },
      );
    }
  }
}
