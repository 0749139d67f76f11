import { Injectable } from '@nestjs/common';
import { SessionNotConnected, SessionNotFound } from '../../common/errors/domain-errors';
import { SessionManager } from '../../whatsapp/session-manager';
import { SessionRecords } from '../../whatsapp/session-records';
import type { WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';

/** The stored session (404 otherwise), and for live routes one that is connected (400 otherwise). */
@Injectable()
export class ConnectedSession {
  constructor(
    private readonly records: SessionRecords,
    private readonly manager: SessionManager,
  ) {}

  async stored(sessionId: string): Promise<WhatsappSessionEntity> {
    const row = await this.records.find(sessionId);
    if (!row) {
      throw new SessionNotFound(sessionId);
    }
    return row;
  }

  async connected(sessionId: string): Promise<WhatsappSessionEntity> {
    const row = await this.stored(sessionId);
    this.assertConnected(row);
    return row;
  }

  assertConnected(row: WhatsappSessionEntity): void {
    const state = this.manager.get(row.sessionId)?.state ?? row.state;
    if (state !== 'connected') {
      throw new SessionNotConnected(state);
    }
  }
}
