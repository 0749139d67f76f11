import { Injectable, PipeTransform } from '@nestjs/common';
import { SessionNotFound } from '../common/errors/domain-errors';
import { SessionManager } from '../whatsapp/session-manager';
import { SessionRecords } from '../whatsapp/session-records';
import { SessionNotConnected } from '../common/errors/domain-errors';

/** Whether a session may talk to WhatsApp now: 404 when unknown, 400 when not connected. */
@Injectable()
export class SessionGate {
  constructor(
    private readonly manager: SessionManager,
    private readonly records: SessionRecords,
  ) {}

  async assertExists(sessionId: string): Promise<void> {
    if (!this.manager.get(sessionId) && !(await this.records.find(sessionId))) {
      throw new SessionNotFound(sessionId);
    }
  }

  async assertConnected(sessionId: string): Promise<void> {
    const live = this.manager.get(sessionId);
    if (live?.state === 'connected') {
      return;
    }
    const record = live ? null : await this.records.find(sessionId);
    if (!live && !record) {
      throw new SessionNotFound(sessionId);
    }
    throw new SessionNotConnected(live?.state ?? record?.state ?? 'disconnected');
  }

  isConnected(sessionId: string): boolean {
    return this.manager.get(sessionId)?.state === 'connected';
  }
}

/**
 * The route parameter of a session that exists: 404 "Session not found" otherwise. A running
 * session exists without a database read (the hot path of sending); others are looked up.
 */
@Injectable()
export class KnownSessionPipe implements PipeTransform<string, Promise<string>> {
  constructor(private readonly gate: SessionGate) {}

  async transform(sessionId: string): Promise<string> {
    await this.gate.assertExists(sessionId);
    return sessionId;
  }
}
