import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Counter, Gauge } from 'prom-client';
import { SessionOwnership } from '../cluster/session-ownership';
import { MetricsService } from '../metrics/metrics.service';
import { SESSION_STATES } from './whatsapp-session.entity';
import { SessionEvents } from './session-events';
import type { SessionDisconnectedEvent } from './session-events';
import { SessionManager } from './session-manager';

/** Prometheus view of the sessions: how many run in each state, and why they disconnect. */
@Injectable()
export class SessionMetrics {
  private readonly disconnects: Counter<'code' | 'will_reconnect'>;

  constructor(metrics: MetricsService, manager: SessionManager, ownership: SessionOwnership) {
    new Gauge({
      name: 'wa_cluster_node_sessions',
      help: 'Sessions each live gateway process owns (one series, this process, outside a cluster)',
      labelNames: ['node_id'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const node of await ownership.nodes()) {
          this.set({ node_id: node.nodeId }, node.sessions);
        }
      },
    });
    new Gauge({
      name: 'wa_sessions',
      help: 'WhatsApp sessions running in this process, by state',
      labelNames: ['state'],
      registers: [metrics.registry],
      collect() {
        const counts = new Map<string, number>(SESSION_STATES.map((state) => [state, 0]));
        for (const session of manager.list()) {
          counts.set(session.state, (counts.get(session.state) ?? 0) + 1);
        }
        for (const [state, count] of counts) {
          this.set({ state }, count);
        }
      },
    });
    this.disconnects = new Counter({
      name: 'wa_session_disconnects_total',
      help: 'Session disconnects by close code and whether the session reconnects by itself',
      labelNames: ['code', 'will_reconnect'],
      registers: [metrics.registry],
    });
  }

  @OnEvent(SessionEvents.Disconnected)
  onDisconnected(event: SessionDisconnectedEvent): void {
    this.disconnects.inc({
      code: String(event.statusCode ?? 'none'),
      will_reconnect: String(event.willReconnect),
    });
  }
}
