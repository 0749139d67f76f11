import type { EntityManager } from 'typeorm';
import type { ClusterNode } from './node-registry';
import { SessionOwner, SessionOwnership } from './session-ownership';

/** One process, no cluster: it owns every session, and nothing needs fencing. */
export class SoleOwnership extends SessionOwnership {
  readonly clustered = false;
  private readonly startedAt = new Date();
  private readonly running = new Set<string>();

  constructor(
    readonly nodeId: string,
    private readonly address: string,
  ) {
    super();
  }

  acquire(sessionId: string): Promise<boolean> {
    this.running.add(sessionId);
    return Promise.resolve(true);
  }

  release(sessionIds: string[]): Promise<void> {
    sessionIds.forEach((id) => this.running.delete(id));
    return Promise.resolve();
  }

  holds(): boolean {
    return true;
  }

  fence(_manager: EntityManager, sessionIds: string[]): Promise<Set<string>> {
    return Promise.resolve(new Set(sessionIds));
  }

  ownerOf(): Promise<SessionOwner | null> {
    return Promise.resolve(this.self());
  }

  placement(): Promise<SessionOwner> {
    return Promise.resolve(this.self());
  }

  share(free: string[]): Promise<string[]> {
    return Promise.resolve(free);
  }

  async exclusive(_job: string, task: () => Promise<void>): Promise<boolean> {
    await task();
    return true;
  }

  onLost(): void {
    // a lone process never loses a session to another one
  }

  nodes(): Promise<ClusterNode[]> {
    const now = new Date();
    return Promise.resolve([
      {
        nodeId: this.nodeId,
        address: this.address,
        draining: false,
        startedAt: this.startedAt,
        heartbeatAt: now,
        sessions: this.running.size,
      },
    ]);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  held(): string[] {
    return [...this.running];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private self(): SessionOwner {
    return { nodeId: this.nodeId, address: this.address, local: true };
  }
}
