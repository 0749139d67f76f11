import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, Repository } from 'typeorm';
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
  ) {}

  find(sessionId: string): Promise<WhatsappSessionEntity | null> {
    return this.repository.findOneBy({ sessionId });
  }

  async update(sessionId: string, patch: SessionPatch): Promise<void> {
    await this.repository.update({ sessionId }, patch);
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
