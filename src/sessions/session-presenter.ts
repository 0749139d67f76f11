import type { ConnectionStatus, SessionViewDto } from './dto/session-view.dto';
import type { SessionState, WhatsappSessionEntity } from './whatsapp-session.entity';

/** What the live runtime knows of a session beyond its stored row. */
export interface LiveSessionInfo {
  state: SessionState;
  startedAt: Date;
}

export function connectionStatusOf(state: SessionState): ConnectionStatus {
  return state === 'connected' ? 'AUTHENTICATED' : (state.toUpperCase() as ConnectionStatus);
}

/** Seed 004's basic session view. */
export function toSessionView(row: WhatsappSessionEntity, live?: LiveSessionInfo): SessionViewDto {
  const state = live?.state ?? row.state;
  return {
    id: Number(row.id),
    sessionId: row.sessionId,
    name: row.name,
    status: row.state,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isActive: live !== undefined,
    isAuthenticated: state === 'connected',
    startTime: live ? live.startedAt.getTime() : null,
    connectionStatus: connectionStatusOf(state),
  };
}
