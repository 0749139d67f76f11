import type { DataSource, EntityManager } from 'typeorm';

/** A live gateway process, as the others see it. */
export interface ClusterNode {
  nodeId: string;
  address: string;
  draining: boolean;
  startedAt: Date;
  heartbeatAt: Date;
  /** Sessions it holds a live lease for. */
  sessions: number;
}

interface NodeRow {
  nodeId: string;
  address: string;
  draining: number | boolean;
  startedAt: Date;
  heartbeatAt: Date;
  sessions: string | number;
}

/** The `cluster_nodes` rows: who is alive (a heartbeat within the lease TTL) and how loaded. */
export class NodeRegistry {
  private readonly ttlMicros: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly self: { nodeId: string; address: string },
    ttlMs: number,
  ) {
    this.ttlMicros = ttlMs * 1000;
  }

  async register(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO cluster_nodes (node_id, address, started_at, heartbeat_at, draining, sessions)
       VALUES (?, ?, NOW(3), NOW(3), 0, 0)
       ON DUPLICATE KEY UPDATE address = VALUES(address), started_at = NOW(3),
                               heartbeat_at = NOW(3), draining = 0, sessions = 0`,
      [this.self.nodeId, this.self.address],
    );
    // rows of processes gone for an hour tell nothing any more
    await this.dataSource.query(
      'DELETE FROM cluster_nodes WHERE heartbeat_at < NOW(3) - INTERVAL 1 HOUR',
    );
  }

  async heartbeat(sessions: number, draining: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE cluster_nodes SET heartbeat_at = NOW(3), sessions = ?, draining = ? WHERE node_id = ?`,
      [sessions, draining ? 1 : 0, this.self.nodeId],
    );
  }

  async leave(): Promise<void> {
    await this.dataSource.query('DELETE FROM cluster_nodes WHERE node_id = ?', [this.self.nodeId]);
  }

  /**
   * In the caller's transaction: locks every process's row, so that the callers of this take
   * turns (a placement counts the reservations of the one before it).
   */
  async lockAll(manager: EntityManager): Promise<void> {
    await manager.query('SELECT node_id FROM cluster_nodes ORDER BY node_id FOR UPDATE');
  }

  /** The live processes, with the sessions each holds a live lease for. */
  async live(manager: EntityManager = this.dataSource.manager): Promise<ClusterNode[]> {
    const rows = await manager.query<NodeRow[]>(
      `SELECT n.node_id AS nodeId, n.address, n.draining, n.started_at AS startedAt,
              n.heartbeat_at AS heartbeatAt,
              (SELECT COUNT(*) FROM cluster_leases l
                WHERE l.node_id = n.node_id AND l.expires_at > NOW(3)
                  AND l.name LIKE 'session:%') AS sessions
         FROM cluster_nodes n
        WHERE n.heartbeat_at > NOW(3) - INTERVAL ? MICROSECOND
        ORDER BY n.node_id`,
      [this.ttlMicros],
    );
    return rows.map((row) => ({
      nodeId: row.nodeId,
      address: row.address,
      draining: Boolean(Number(row.draining)),
      startedAt: new Date(row.startedAt),
      heartbeatAt: new Date(row.heartbeatAt),
      sessions: Number(row.sessions),
    }));
  }
}
