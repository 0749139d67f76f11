import type { EntityManager } from 'typeorm';
import type { ClusterNode } from './node-registry';

/** Where a session runs: this process, or another one at `address`. */
export interface SessionOwner {
  nodeId: string;
  address: string | null;
  local: boolean;
}

/** A session (or job) this process holds a lease for was taken by another process. */
export class LeaseLost extends Error {
  constructor(readonly lease: string) {
    super(`the lease ${lease} is held by another gateway process`);
    this.name = 'LeaseLost';
  }
}

export const sessionLease = (sessionId: string): string => `session:${sessionId}`;
export const jobLease = (job: string): string => `job:${job}`;

/**
 * Which process owns which session. One process alone (`SoleOwnership`) owns them all; in a
 * cluster (`LeasedOwnership`) each session is owned by the process holding its lease, and every
 * write a session's runtime makes is fenced with the lease's token. The DI token the engine uses.
 */
export abstract class SessionOwnership {
  abstract readonly clustered: boolean;
  abstract readonly nodeId: string;
  /** Takes the session's lease (cluster) or says yes (one process). */
  abstract acquire(sessionId: string): Promise<boolean>;
  abstract release(sessionIds: string[]): Promise<void>;
  /** Whether this process may still act for the session (its lease has not run out here). */
  abstract holds(sessionId: string): boolean;
  /**
   * In the caller's transaction: those of `sessionIds` this process still owns. A write for
   * any other one must not happen: its lease moved to another process.
   */
  abstract fence(manager: EntityManager, sessionIds: string[]): Promise<Set<string>>;
  /** The live owner of a session, or null when no process runs it. */
  abstract ownerOf(sessionId: string): Promise<SessionOwner | null>;
  /**
   * The process a session that runs nowhere should start on: the least loaded live one
   * (cluster: reserved for it at once, so placements made at the same time spread out), or the
   * live owner when another placement got there first.
   */
  abstract placement(sessionId: string): Promise<SessionOwner>;
  /** Of these free sessions, those this process should take (balanced over the live processes). */
  abstract share(free: string[]): Promise<string[]>;
  /** Runs `task` only if no other process runs the job `name` (a lease for `ttl` of the lease). */
  abstract exclusive(job: string, task: () => Promise<void>): Promise<boolean>;
  /** Called with the session id when its lease was found taken by another process. */
  abstract onLost(listener: (sessionId: string) => void): void;
  /** The live processes (cluster) or this one. */
  abstract nodes(): Promise<ClusterNode[]>;
  /** This process is shutting down: no new sessions are placed on it. */
  abstract drain(): Promise<void>;
  /** Sessions this process holds. */
  abstract held(): string[];
  /** Lets every lease go and leaves the cluster (the last step of a clean shutdown). */
  abstract close(): Promise<void>;
}

/**
 * Greedy balance: each free session goes to the live, non-draining node with the fewest sessions
 * (ties by node id), counting those already given out. Every process computes the same plan.
 */
export function planShares(nodes: ClusterNode[], free: string[]): Map<string, string[]> {
  const open = nodes.filter((node) => !node.draining);
  const load = new Map(open.map((node) => [node.nodeId, node.sessions]));
  const plan = new Map<string, string[]>(open.map((node) => [node.nodeId, []]));
  for (const sessionId of [...free].sort()) {
    let best: string | undefined;
    for (const [nodeId, count] of load) {
      const bestCount = best === undefined ? Infinity : (load.get(best) ?? Infinity);
      if (count < bestCount || (count === bestCount && best !== undefined && nodeId < best)) {
        best = nodeId;
      }
    }
    if (best === undefined) {
      break;
    }
    load.set(best, (load.get(best) ?? 0) + 1);
    plan.get(best)?.push(sessionId);
  }
  return plan;
}
