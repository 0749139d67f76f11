import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { ClusterConfig } from './cluster.config';
import { LeaseStore } from './lease-store';
import { ClusterNode, NodeRegistry } from './node-registry';
import {
  jobLease,
  planShares,
  SessionOwner,
  SessionOwnership,
  sessionLease,
} from './session-ownership';

interface Held {
  token: number;
  /** performance.now() past which this process no longer acts for the session. */
  validUntil: number;
}

const SESSION_PREFIX = 'session:';

/**
 * Cluster mode: a session belongs to the process holding its `cluster_leases` row. Leases are
 * renewed together every `renewIntervalMs`; a process trusts its own lease only until the last
 * successful renewal's start plus the TTL less one renewal interval (a paused process stops
 * acting before anyone may take over), and every write is fenced in the database as well.
 */
export class LeasedOwnership extends SessionOwnership {
  readonly clustered = true;
  readonly nodeId: string;
  private readonly logger = new Logger('Cluster');
  private readonly store: LeaseStore;
  private readonly registry: NodeRegistry;
  private readonly heldLeases = new Map<string, Held>();
  private readonly lostListeners: ((sessionId: string) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ClusterConfig,
  ) {
    super();
    this.nodeId = config.nodeId;
    this.store = new LeaseStore(dataSource, config.nodeId, config.leaseTtlMs);
    this.registry = new NodeRegistry(dataSource, config, config.leaseTtlMs);
  }

  async start(): Promise<void> {
    await this.registry.register();
    this.timer = setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, this.config.renewIntervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await this.store.release([...this.heldLeases.keys()]).catch(() => undefined);
    this.heldLeases.clear();
    await this.registry.leave().catch(() => undefined);
  }

  async acquire(sessionId: string): Promise<boolean> {
    if (this.draining) {
      return false;
    }
    return this.take(sessionLease(sessionId));
  }

  async release(sessionIds: string[]): Promise<void> {
    const names = sessionIds.map(sessionLease);
    names.forEach((name) => this.heldLeases.delete(name));
    await this.store.release(names);
  }

  holds(sessionId: string): boolean {
    const held = this.heldLeases.get(sessionLease(sessionId));
    return held !== undefined && performance.now() < held.validUntil;
  }

  async fence(manager: EntityManager, sessionIds: string[]): Promise<Set<string>> {
    const unique = [...new Set(sessionIds)];
    const names = unique.map(sessionLease);
    const tokens = await this.store.tokens(manager, names);
    const owned = new Set<string>();
    for (const sessionId of unique) {
      const name = sessionLease(sessionId);
      const held = this.heldLeases.get(name);
      if (held && tokens.get(name) === held.token) {
        owned.add(sessionId);
      } else if (held) {
        this.lost(name);
      }
    }
    return owned;
  }

  async ownerOf(sessionId: string): Promise<SessionOwner | null> {
    if (this.holds(sessionId)) {
      return { nodeId: this.nodeId, address: this.config.address, local: true };
    }
    const holder = await this.store.holder(sessionLease(sessionId));
    return holder ? { ...holder, local: holder.nodeId === this.nodeId } : null;
  }

  async placement(sessionId: string): Promise<SessionOwner> {
    // One placement at a time in the cluster (a lock on the process rows), each reserving the
    // session's lease for the process it chose: a placement that comes next counts it, so
    // sessions created at the same time spread out instead of all going to the same process.
    // The chosen process takes the lease over when it starts the session; if it never does,
    // the reservation runs out with the lease TTL and the session is placed again.
    const chosen = await this.dataSource.transaction('READ COMMITTED', async (manager) => {
      await this.registry.lockAll(manager);
      const nodes = (await this.registry.live(manager)).filter((node) => !node.draining);
      const least = nodes.reduce<ClusterNode | undefined>(
        (best, node) =>
          !best ||
          node.sessions < best.sessions ||
          (node.sessions === best.sessions && node.nodeId < best.nodeId)
            ? node
            : best,
        undefined,
      );
      const target = least ?? { nodeId: this.nodeId, address: this.config.address };
      return (await this.store.reserve(manager, sessionLease(sessionId), target.nodeId)) ?? target;
    });
    return chosen.nodeId === this.nodeId
      ? { nodeId: this.nodeId, address: this.config.address, local: true }
      : { nodeId: chosen.nodeId, address: chosen.address, local: false };
  }

  async share(free: string[]): Promise<string[]> {
    if (this.draining || free.length === 0) {
      return [];
    }
    const plan = planShares(await this.registry.live(), free);
    return plan.get(this.nodeId) ?? [];
  }

  async exclusive(job: string, task: () => Promise<void>): Promise<boolean> {
    // a job lease is renewed with the sessions' and never released while this process lives:
    // the job stays here, and moves once the lease runs out after this process is gone
    const name = jobLease(job);
    const held = this.heldLeases.get(name);
    if (!(held && performance.now() < held.validUntil) && !(await this.take(name))) {
      return false;
    }
    await task();
    return true;
  }

  onLost(listener: (sessionId: string) => void): void {
    this.lostListeners.push(listener);
  }

  nodes(): Promise<ClusterNode[]> {
    return this.registry.live();
  }

  async drain(): Promise<void> {
    this.draining = true;
    await this.registry.heartbeat(this.heldLeases.size, true).catch(() => undefined);
  }

  held(): string[] {
    return [...this.heldLeases.keys()]
      .filter((name) => name.startsWith(SESSION_PREFIX))
      .map((name) => name.slice(SESSION_PREFIX.length));
  }

  /** Live leases of the whole cluster, for `GET /cluster`. */
  leases(): ReturnType<LeaseStore['live']> {
    return this.store.live();
  }

  private async take(name: string): Promise<boolean> {
    const started = performance.now();
    const token = await this.store.acquire(name);
    if (token === null) {
      return false;
    }
    this.heldLeases.set(name, { token, validUntil: this.validFrom(started) });
    return true;
  }

  private async renew(): Promise<void> {
    const started = performance.now();
    const names = [...this.heldLeases.keys()];
    try {
      const tokens = await this.store.renew(names);
      for (const name of names) {
        const held = this.heldLeases.get(name);
        if (!held) {
          continue; // released meanwhile
        }
        if (tokens.get(name) === held.token) {
          held.validUntil = this.validFrom(started);
        } else {
          this.lost(name);
        }
      }
      await this.registry.heartbeat(this.held().length, this.draining);
    } catch (error) {
      // not renewed: the leases run out here first, so this process stops acting on its own
      this.logger.warn(`lease renewal failed: ${String(error)}`);
    }
  }

  private validFrom(started: number): number {
    return started + this.config.leaseTtlMs - this.config.renewIntervalMs;
  }

  private lost(name: string): void {
    if (!this.heldLeases.delete(name)) {
      return;
    }
    this.logger.warn(`lease ${name} was taken by another process`);
    if (name.startsWith(SESSION_PREFIX)) {
      const sessionId = name.slice(SESSION_PREFIX.length);
      for (const listener of this.lostListeners) {
        listener(sessionId);
      }
    }
  }
}
