import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  GrabEvents,
  type GrabCompletedEvent,
  type GrabProgressEvent,
} from '../contacts/grab/grab-events';
import { toSession } from './rooms';
import { SessionsGateway } from './sessions.gateway';

/** Fans a grab's progress and completion out to the session's rooms. */
@Injectable()
export class GrabEventsRelay {
  constructor(private readonly gateway: SessionsGateway) {}

  @OnEvent(GrabEvents.Progress, { suppressErrors: true })
  onProgress(event: GrabProgressEvent): void {
    this.emit(event.sessionId, 'grab_progress', {
      sessionId: event.sessionId,
      phase: event.phase,
      done: event.done,
      total: event.total,
    });
  }

  @OnEvent(GrabEvents.Completed, { suppressErrors: true })
  onCompleted(event: GrabCompletedEvent): void {
    this.emit(event.sessionId, 'grab_completed', {
      sessionId: event.sessionId,
      scope: event.scope,
      totalGroups: event.totalGroups,
      totalContacts: event.totalContacts,
      savedCount: event.savedCount,
      updatedCount: event.updatedCount,
      errors: event.errors,
      grabbedAt: event.grabbedAt.toISOString(),
    });
  }

  private emit(sessionId: string, event: string, payload: unknown): void {
    if (this.gateway.server) {
      toSession(this.gateway.server, sessionId).emit(event, payload);
    }
  }
}
