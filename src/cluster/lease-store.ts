import type { DataSource, EntityManager } from 'typeorm';

interface TokenRow {
  token: string | number;
}

interface HolderRow {
  nodeId: string;
  address: string | null;
}

/** A live lease as `GET /cluster` shows it. */
export interface LiveLease {
  name: string;
  nodeId: string;
  token: number;
  ageMs: number;
  expiresInMs: number;
}

/** What MySQL answers to an INSERT or UPDATE through TypeORM's `query`. */
interface WriteResult {
  affectedRows: number;
}

/**
 * The `cluster_leases` rows, in MySQL (cluster mode only). Expiry is compared with the database's
 * clock, never a process's, so processes on machines with skewed clocks agree on who owns what.
 */
export class LeaseStore {
  private readonly ttlMicros: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly nodeId: string,
    ttlMs: number,
  ) {
    this.ttlMicros = ttlMs * 1000;
  }

  /** Takes a free, expired or own lease; resolves with its new fencing token, or null when held elsewhere. */
  async acquire(name: string): Promise<number | null> {
    const inserted = await this.dataSource.query<WriteResult>(
      `INSERT IGNORE INTO cluster_leases (name, node_id, token, acquired_at, expires_at)
       VALUES (?, ?, 1, NOW(3), NOW(3) + INTERVAL ? MICROSECOND)`,
      [name, this.nodeId, this.ttlMicros],
    );
    if (inserted.affectedRows === 1) {
      return 1;
    }
    const updated = await this.dataSource.query<WriteResult>(
      `UPDATE cluster_leases
          SET node_id = ?, token = token + 1, acquired_at = NOW(3),
              expires_at = NOW(3) + INTERVAL ? MICROSECOND
        WHERE name = ? AND (expires_at < NOW(3) OR node_id = ?)`,
      [this.nodeId, this.ttlMicros, name, this.nodeId],
    );
    if (updated.affectedRows !== 1) {
      return null;
    }
    const rows = await this.dataSource.query<TokenRow[]>(
      'SELECT token FROM cluster_leases WHERE name = ? AND node_id = ?',
      [name, this.nodeId],
    );
    return rows.length === 1 ? Number(rows[0].token) : null;
  }

  /**
   * In the caller's transaction: takes a free or expired lease for `nodeId` (another process, or
   * this one), which takes it over as its own when it starts the session. Resolves with the live
   * holder instead when the lease is held (then nothing is written).
   */
  async reserve(manager: EntityManager, name: string, nodeId: string): Promise<HolderRow | null> {
    const inserted = await manager.query<WriteResult>(
      `INSERT IGNORE INTO cluster_leases (name, node_id, token, acquired_at, expires_at)
       VALUES (?, ?, 1, NOW(3), NOW(3) + INTERVAL ? MICROSECOND)`,
      [name, nodeId, this.ttlMicros],
    );
    if (inserted.affectedRows === 1) {
      return null;
    }
    const updated = await manager.query<WriteResult>(
      `UPDATE cluster_leases
          SET node_id = ?, token = token + 1, acquired_at = NOW(3),
              expires_at = NOW(3) + INTERVAL ? MICROSECOND
        WHERE name = ? AND expires_at < NOW(3)`,
      [nodeId, this.ttlMicros, name],
    );
    return updated.affectedRows === 1 ? null : this.holder(name, manager);
  }

  /** Extends the leases of `names` this node still holds; resolves with their tokens. */
  async renew(names: string[]): Promise<Map<string, number>> {
    if (names.length === 0) {
      return new Map();
    }
    await this.dataSource.query(
      `UPDATE cluster_leases SET expires_at = NOW(3) + INTERVAL ? MICROSECOND
        WHERE name IN (?) AND node_id = ?`,
      [this.ttlMicros, names, this.nodeId],
    );
    return this.tokens(this.dataSource.manager, names, false);
  }

  /** Lets the leases go now (a clean hand-off): the next process may take them at once. */
  async release(names: string[]): Promise<void> {
    if (names.length === 0) {
      return;
    }
    await this.dataSource.query(
      `UPDATE cluster_leases SET expires_at = NOW(3) - INTERVAL 1 SECOND
        WHERE name IN (?) AND node_id = ?`,
      [names, this.nodeId],
    );
  }

  /**
   * In the caller's transaction: the tokens of `names` this node holds, read with a shared lock,
   * so the lease cannot change hands until the transaction's writes are committed.
   */
  async tokens(manager: EntityManager, names: string[], lock = true): Promise<Map<string, number>> {
    if (names.length === 0) {
      return new Map<string, number>();
    }
    const rows = await manager.query<{ name: string; token: string | number }[]>(
      `SELECT name, token FROM cluster_leases WHERE name IN (?) AND node_id = ?${
        lock ? ' LOCK IN SHARE MODE' : ''
      }`,
      [names, this.nodeId],
    );
    return new Map<string, number>(rows.map((row) => [row.name, Number(row.token)]));
  }

  /** The live (unexpired) holder of a lease, with the address of its node. */
  async holder(
    name: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<HolderRow | null> {
    const rows = await manager.query<HolderRow[]>(
      `SELECT l.node_id AS nodeId, n.address AS address
         FROM cluster_leases l LEFT JOIN cluster_nodes n ON n.node_id = l.node_id
        WHERE l.name = ? AND l.expires_at > NOW(3)`,
      [name],
    );
    return rows[0] ?? null;
  }

  /** Every live lease: for the cluster overview. */
  async live(): Promise<LiveLease[]> {
    const rows = await this.dataSource.query<Record<keyof LiveLease, string>[]>(
      `SELECT name, node_id AS nodeId, token,
              TIMESTAMPDIFF(MICROSECOND, acquired_at, NOW(3)) DIV 1000 AS ageMs,
              TIMESTAMPDIFF(MICROSECOND, NOW(3), expires_at) DIV 1000 AS expiresInMs
         FROM cluster_leases WHERE expires_at > NOW(3) ORDER BY name`,
    );
    return rows.map((row) => ({
      name: row.name,
      nodeId: row.nodeId,
      token: Number(row.token),
      ageMs: Number(row.ageMs),
      expiresInMs: Number(row.expiresInMs),
    }));
  }
}
